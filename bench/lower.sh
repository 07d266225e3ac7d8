#!/bin/sh
# kiln's lowering stage (builder/lower/, run here through kiln-lower) against
# Babel and esbuild on the bundle benchmark's input, in the same run.
#
# Fetches at run time with npm (never committed): esbuild, @babel/core,
# @babel/preset-env, lodash-es and three. The input is lodash-es, three and
# every addon ('three/addons'), bundled by esbuild into one file, twice:
#   in.iife.js  a classic script (--format=iife): what a legacy twin is
#   in.esm.js   a module (--format=esm)
# Then, BENCH_REPS times in turn, wall time of the whole process:
#   legacy  kiln-lower --target es5 in.iife.js
#           babel preset-env, targets IE 11, as @vitejs/plugin-legacy runs
#           it (bugfixes, no module transform; polyfills are not counted:
#           plugin-legacy puts core-js in a chunk of its own)
#   es2017  kiln-lower --module --target es2017 in.esm.js
#           esbuild --target=es2017 in.esm.js (a transform, no bundling)
# Every output must end as the input does when Node runs it with stubbed
# browser objects (the namespaces' sizes on window). Sizes are compared the
# same way for both tools, after esbuild's
# whitespace-only printer (--minify-whitespace) reprinted each output, and
# unminified as each tool prints. Goals (issue 15): kiln's time at most
# 0.2x Babel's, legacy size at most 1.05x Babel's, es2017 size at most
# 1.05x esbuild's. Figures also go to bench/results-lower.md (not
# committed).
#
# Environment:
#   BENCH_WORK   work directory (default: a temporary one, removed at exit);
#                a given one is kept, and its npm installs are reused
#   BENCH_REPS   runs per tool (default 3)
#   BENCH_INPUT  addons (default: lodash-es, three and every addon, 6 MB) or
#                libs (lodash-es and three alone, 1.6 MB: Babel did not finish
#                the addons input in 40 minutes here, docs/performance.md)
#   KILN_LOWER   the binary (default: build/rel/bin/kiln-lower; make builds it)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bench_name=lower.sh
. "$top/bench/lib.sh"

KILN_LOWER=${KILN_LOWER:-$top/build/rel/bin/kiln-lower}
ESBUILD_VER=0.24.0
BABEL_VER=7.26.0
LODASH_VER=4.17.21
THREE_VER=0.170.0
results=$top/bench/results-lower.md

for t in npm node python3; do
    command -v "$t" >/dev/null 2>&1 || die "missing $t (make deps; npm comes with nodejs)"
done
[ -x "$KILN_LOWER" ] || die "no $KILN_LOWER: run 'make build/rel/bin/kiln-lower' first"
bench_workdir kiln-bench-lower "out-*"
bench_machine

echo "== fetching with npm"
npm_in "$work/dl/tools" "esbuild@$ESBUILD_VER" "@babel/core@$BABEL_VER" \
    "@babel/preset-env@$BABEL_VER"
npm_in "$work/dl/libs" "lodash-es@$LODASH_VER" "three@$THREE_VER"
ESBUILD=$work/dl/tools/node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || die "no esbuild binary after npm install"
echo "   esbuild $("$ESBUILD" --version), babel $BABEL_VER, lodash-es $LODASH_VER, three $THREE_VER"

# ---- the input ---------------------------------------------------------------

src=$work/src
mkdir -p "$src"
L=$work/dl/libs/node_modules
case ${BENCH_INPUT:-addons} in
addons)
    printf '%s\n' "import * as _ from '$L/lodash-es/lodash.js';" \
        "import * as THREE from '$L/three/build/three.module.js';" \
        "import * as addons from '$L/three/examples/jsm/Addons.js';" \
        "window.__sizes = [_, THREE, addons].map((ns) => Object.keys(ns).length);" >"$src/main.js"
    ;;
libs)
    printf '%s\n' "import * as _ from '$L/lodash-es/lodash.js';" \
        "import * as THREE from '$L/three/build/three.module.js';" \
        "window.__sizes = [_, THREE].map((ns) => Object.keys(ns).length);" >"$src/main.js"
    ;;
*) die "BENCH_INPUT: addons or libs" ;;
esac
"$ESBUILD" --bundle --format=iife --log-level=error "--alias:three=$work/dl/libs/node_modules/three/build/three.module.js" \
    "$src/main.js" --outfile="$src/in.iife.js"
"$ESBUILD" --bundle --format=esm --log-level=error "--alias:three=$work/dl/libs/node_modules/three/build/three.module.js" \
    "$src/main.js" --outfile="$src/in.esm.js"
echo "   input: $(wc -c <"$src/in.iife.js") bytes (script), $(wc -c <"$src/in.esm.js") bytes (module)"

cat >"$work/babel.cjs" <<'EOF'
// Babel as @vitejs/plugin-legacy runs it on each legacy chunk, without
// polyfills (they are a chunk of their own there, kiln's are per page).
const fs = require("fs");
const babel = require("@babel/core");
const [, , input, output] = process.argv;
const out = babel.transformSync(fs.readFileSync(input, "utf8"), {
  babelrc: false,
  configFile: false,
  compact: false,
  sourceType: "script",
  presets: [["@babel/preset-env", { targets: "ie 11", bugfixes: true, modules: false }]],
});
fs.writeFileSync(output, out.code);
EOF

# ---- runs ----------------------------------------------------------------------

now() { date +%s.%N; }
median() { python3 -c 'import statistics, sys; print("%.3f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }
timed() { # VAR COMMAND...: appends the wall time to $VAR
    v=$1
    shift
    t0=$(now)
    "$@"
    t1=$(now)
    eval "$v=\"\${$v:-} $(python3 -c "print($t1 - $t0)")\""
}
size() { wc -c <"$1" | tr -d ' '; }
ws() { # FILE OUT: esbuild's whitespace-only reprint
    "$ESBUILD" --minify-whitespace --log-level=error "$1" --outfile="$2"
}

out=$work/out-1
mkdir -p "$out"
i=0
while [ $i -lt "$BENCH_REPS" ]; do
    i=$((i + 1))
    echo "== run $i of $BENCH_REPS"
    timed t_kiln5 "$KILN_LOWER" --target es5 -o "$out/kiln.es5.js" "$src/in.iife.js"
    timed t_babel env NODE_PATH="$work/dl/tools/node_modules" node "$work/babel.cjs" \
        "$src/in.iife.js" "$out/babel.es5.js"
    timed t_kiln17 "$KILN_LOWER" --module --target es2017 -o "$out/kiln.es2017.js" "$src/in.esm.js"
    timed t_esb17 "$ESBUILD" --target=es2017 --log-level=error "$src/in.esm.js" \
        --outfile="$out/esbuild.es2017.js"
done
for f in kiln.es5 babel.es5 kiln.es2017 esbuild.es2017; do
    ws "$out/$f.js" "$out/$f.ws.js"
done

# The outputs must do what the input does: each runs in Node in a context
# whose browser objects are stubs that accept anything, and must end as the
# input ends (the namespaces' sizes it puts on window).
cat >"$work/smoke.cjs" <<'EOF'
const vm = require("vm"), fs = require("fs");
const stub = () => {
  const p = new Proxy(function () {}, {
    get: (t, k) => (k === Symbol.toPrimitive ? () => 0 : k === "then" ? undefined : p),
    apply: () => p, construct: () => p, set: () => true,
  });
  return p;
};
const ctx = { console, setTimeout, clearTimeout, setInterval: () => 0, clearInterval() {},
  TextEncoder, TextDecoder, URL, performance, navigator: { userAgent: "" }, document: stub(),
  requestAnimationFrame: () => 0 };
ctx.window = ctx.self = ctx;
try {
  vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), ctx);
  console.log("window.__sizes = " + JSON.stringify(ctx.__sizes));
} catch (e) {
  console.log("throws " + (e && e.name) + ": " + (e && e.message));
}
EOF
want=$(node "$work/smoke.cjs" "$src/in.iife.js")
echo "   the input: $want"
for f in kiln.es5 babel.es5 kiln.es2017 esbuild.es2017; do
    got=$(node "$work/smoke.cjs" "$out/$f.js")
    [ "$got" = "$want" ] || die "$f.js does not behave as the input: $got"
done
echo "   all four outputs: the same"

mk5=$(median $t_kiln5)
mb=$(median $t_babel)
mk17=$(median $t_kiln17)
me17=$(median $t_esb17)
ratio() { python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
{
    echo "# bench/lower.sh, $(date -u +%Y-%m-%d)"
    echo
    echo "$ncpu CPUs, load $load; esbuild $ESBUILD_VER, babel $BABEL_VER; input ${BENCH_INPUT:-addons} (lodash-es $LODASH_VER + three $THREE_VER$([ "${BENCH_INPUT:-addons}" = addons ] && echo " + every addon")), $(size "$src/in.iife.js") bytes; $BENCH_REPS runs each, medians of wall time."
    echo
    echo "| | kiln s | peer s | time ratio | kiln bytes | peer bytes | size ratio | kiln ws-min bytes | peer ws-min bytes | ws-min ratio |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    echo "| legacy (ES5) vs Babel preset-env IE 11 | $mk5 | $mb | $(ratio "$mk5" "$mb") | $(size "$out/kiln.es5.js") | $(size "$out/babel.es5.js") | $(ratio "$(size "$out/kiln.es5.js")" "$(size "$out/babel.es5.js")") | $(size "$out/kiln.es5.ws.js") | $(size "$out/babel.es5.ws.js") | $(ratio "$(size "$out/kiln.es5.ws.js")" "$(size "$out/babel.es5.ws.js")") |"
    echo "| es2017 vs esbuild --target=es2017 | $mk17 | $me17 | $(ratio "$mk17" "$me17") | $(size "$out/kiln.es2017.js") | $(size "$out/esbuild.es2017.js") | $(ratio "$(size "$out/kiln.es2017.js")" "$(size "$out/esbuild.es2017.js")") | $(size "$out/kiln.es2017.ws.js") | $(size "$out/esbuild.es2017.ws.js") | $(ratio "$(size "$out/kiln.es2017.ws.js")" "$(size "$out/esbuild.es2017.ws.js")") |"
} >"$results"
cat "$results"
