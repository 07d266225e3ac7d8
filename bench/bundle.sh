#!/bin/sh
# kiln-build's bundler against esbuild on large real ES-module inputs, in the
# same run.
#
# Fetches at run time with npm (never committed): esbuild, monaco-editor,
# lodash-es and three. Three inputs, each a page with one module script
# (main.js) that imports whole packages as namespaces (so neither tool can
# drop a module) and import()s lazy.js, which shares a few modules with it
# (an entry chunk, a lazy chunk and a shared chunk for both tools):
#   monaco   monaco-editor's esm/vs/editor/editor.main.js
#   addons   lodash-es, three and 'three/addons' (examples/jsm/Addons.js,
#            every addon)
#   three    lodash-es, three and 25 addons named one by one
# For each, BENCH_REPS times in turn:
#   kiln-build -q --no-cache --no-sw --encodings none -o OUT SRC
#   esbuild --bundle --format=esm --splitting --outdir=OUT SRC/main.js
# kiln-build does a whole release (scan, parse, link, bundle, fingerprint,
# write; compression is off), esbuild only bundles. Medians of wall time;
# output size is the JavaScript each wrote for the page (kiln: the release's
# fingerprinted .js files, which are its chunks and facades, or the modules
# themselves where it left something unbundled; esbuild: every .js it wrote,
# not minified either). kiln's warnings are printed: an input it left
# unbundled is reported as such, never hidden. Figures also go to
# bench/results-bundle.md (not committed).
#
# Environment:
#   BENCH_WORK   work directory (default: a temporary one, removed at exit);
#                a given one is kept, and its npm installs are reused
#   BENCH_REPS   runs per tool and input (default 3, as in lib.sh)
#   BENCH_CASES  inputs to run (default "monaco addons three")
#   KILN_BUILD   the binary (default: bin/kiln-build; build it with make)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bench_name=bundle.sh
. "$top/bench/lib.sh"

BENCH_CASES=${BENCH_CASES:-"monaco addons three"}
ESBUILD_VER=0.24.0
MONACO_VER=0.52.2
LODASH_VER=4.17.21
THREE_VER=0.170.0
results=$top/bench/results-bundle.md

for t in npm python3; do
    command -v "$t" >/dev/null 2>&1 || die "missing $t (make deps; npm comes with nodejs)"
done
[ -x "$KILN_BUILD" ] || die "no $KILN_BUILD: run 'make' first"
bench_workdir kiln-bench-bundle "site-* res-* out-*"
bench_machine

# ---- inputs -------------------------------------------------------------------

echo "== fetching with npm"
npm_in "$work/dl/esbuild" "esbuild@$ESBUILD_VER"
ESBUILD=$work/dl/esbuild/node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || die "no esbuild binary after npm install"
case " $BENCH_CASES " in *" monaco "*) npm_in "$work/dl/monaco" "monaco-editor@$MONACO_VER" ;; esac
npm_in "$work/dl/libs" "lodash-es@$LODASH_VER" "three@$THREE_VER"
echo "   esbuild $("$ESBUILD" --version), monaco-editor $MONACO_VER, lodash-es $LODASH_VER, three $THREE_VER"

page() { # DIR [IMPORTMAP]
    {
        echo '<!doctype html><html><head><meta charset="utf-8"><title>bundle bench</title>'
        [ -z "${2:-}" ] || echo "<script type=\"importmap\">$2</script>"
        echo '<script type="module" src="./main.js"></script></head><body></body></html>'
    } >"$1/index.html"
}

ADDONS="controls/OrbitControls.js controls/TransformControls.js loaders/GLTFLoader.js
loaders/DRACOLoader.js loaders/KTX2Loader.js loaders/FBXLoader.js loaders/RGBELoader.js
loaders/SVGLoader.js loaders/FontLoader.js postprocessing/EffectComposer.js
postprocessing/UnrealBloomPass.js postprocessing/OutputPass.js postprocessing/SSAOPass.js
geometries/TextGeometry.js exporters/GLTFExporter.js objects/Sky.js objects/Water.js
math/SimplexNoise.js utils/BufferGeometryUtils.js renderers/CSS2DRenderer.js lines/Line2.js
environments/RoomEnvironment.js modifiers/SimplifyModifier.js csm/CSM.js webxr/VRButton.js"

# make_site CASE: $work/site-CASE, a copy of the packages it needs (three
# without its sources, minified builds and example assets, which neither
# tool reads) and the page.
make_site() {
    s=$work/site-$1
    rm -rf "$s"
    mkdir -p "$s/node_modules"
    case $1 in
    monaco)
        cp -R "$work/dl/monaco/node_modules/monaco-editor" "$s/node_modules/"
        rm -rf "$s/node_modules/monaco-editor/min" "$s/node_modules/monaco-editor/min-maps" \
            "$s/node_modules/monaco-editor/dev"
        page "$s"
        cat >"$s/main.js" <<'EOF'
import * as monaco from './node_modules/monaco-editor/esm/vs/editor/editor.main.js';
window.__sizes = [Object.keys(monaco).length];
window.__lazy = () => import('./lazy.js');
EOF
        cat >"$s/lazy.js" <<'EOF'
import { Range } from './node_modules/monaco-editor/esm/vs/editor/editor.api.js';
export const r = () => new Range(1, 1, 1, 1);
EOF
        ;;
    addons | three)
        cp -R "$work/dl/libs/node_modules/lodash-es" "$work/dl/libs/node_modules/three" \
            "$s/node_modules/"
        t=$s/node_modules/three
        rm -rf "$t/src" "$t/build/three.cjs" "$t/build"/*.min.js
        find "$t/examples" -mindepth 1 -maxdepth 1 ! -name jsm -exec rm -rf {} +
        # kiln reads no `exports` patterns ("./addons/*"): an import map gives
        # it the same files esbuild takes from the pattern.
        page "$s" '{"imports": {"three/addons/": "./node_modules/three/examples/jsm/"}}'
        {
            echo "import * as _ from 'lodash-es';"
            echo "import * as THREE from 'three';"
            if [ "$1" = addons ]; then
                echo "import * as addons from 'three/addons';"
                echo "const all = [_, THREE, addons];"
            else
                i=0
                for a in $ADDONS; do
                    i=$((i + 1))
                    echo "import * as a$i from 'three/addons/$a';"
                done
                printf 'const all = [_, THREE'
                j=1
                while [ $j -le $i ]; do
                    printf ', a%s' $j
                    j=$((j + 1))
                done
                echo '];'
            fi
            echo 'window.__sizes = all.map((ns) => Object.keys(ns).length);'
            echo "window.__lazy = () => import('./lazy.js');"
        } >"$s/main.js"
        cat >"$s/lazy.js" <<'EOF'
import { debounce, groupBy } from 'lodash-es';
import { Vector3 } from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
export const tools = { debounce, groupBy, Vector3, OrbitControls };
EOF
        ;;
    *) die "unknown case $1" ;;
    esac
}

# ---- runs ---------------------------------------------------------------------

now() { date +%s.%N; }
median() { python3 -c 'import statistics, sys; print("%.3f" % statistics.median(map(float, sys.argv[1:])))' "$@"; }

# kiln_js OUT: bytes and files of the JavaScript kiln's page loads: its
# module scripts and modulepreloads, then every module they import, static
# or import() (the chunks and facades, or the modules themselves where it
# left something unbundled), followed through the release's files.
kiln_js() {
    python3 - "$1" <<'EOF'
import os, re, sys
root = sys.argv[1]
page = open(os.path.join(root, "index.html")).read()
todo = [os.path.normpath(os.path.join(root, u)) for u in
        re.findall(r'<(?:script type="module"|link rel="modulepreload")[^>]*?(?:src|href)="([^"]+)"', page)]
spec = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"'\n]+\.js)["']""")
seen = set()
while todo:
    p = todo.pop()
    if p in seen or not os.path.isfile(p):
        continue
    seen.add(p)
    text = open(p, encoding="utf-8", errors="replace").read()
    for u in spec.findall(text):
        if u.startswith((".", "/")):
            todo.append(os.path.normpath(os.path.join(root, u.lstrip("/")) if u.startswith("/")
                                         else os.path.join(os.path.dirname(p), u)))
print(sum(os.path.getsize(p) for p in seen), len(seen))
EOF
}
esbuild_js() {
    find "$1" -name '*.js' -type f | python3 -c '
import os, sys
f = [l.strip() for l in sys.stdin if l.strip()]
print(sum(os.path.getsize(p) for p in f), len(f))'
}

{
    echo "# bench/bundle.sh, $(date -u +%Y-%m-%d)"
    echo
    echo "$ncpu CPUs, load $load; esbuild $ESBUILD_VER; $BENCH_REPS runs each, medians."
    echo
    echo "| input | .js files | kiln s | kiln --no-bundle s | bundling s | esbuild s | kiln / esbuild | bundling / esbuild | kiln JS bytes (files) | esbuild JS bytes (files) | size ratio | kiln --minify-whitespace bytes | its ratio | kiln bundled? |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$work/res-table"

for c in $BENCH_CASES; do
    make_site "$c"
    s=$work/site-$c
    nmod=$(find "$s" -name '*.js' -type f | wc -l)
    echo "== $c: $nmod .js files in the source tree"
    kt= nt= et= failed=
    r=0
    while [ $r -lt "$BENCH_REPS" ]; do
        r=$((r + 1))
        rm -rf "$work/out-$c-kiln" "$work/out-$c-esbuild"
        t0=$(now)
        # A failure is a result too (reported below): esbuild still runs.
        "$KILN_BUILD" -q --no-cache --no-sw --encodings none -o "$work/out-$c-kiln" "$s" \
            2>"$work/res-$c-kiln.err" || failed=1
        t1=$(now)
        # The same release without bundling: the difference is what parsing,
        # linking and bundling cost (the rest of a release is common to both).
        rm -rf "$work/out-$c-plain"
        "$KILN_BUILD" -q --no-cache --no-sw --encodings none --no-bundle \
            -o "$work/out-$c-plain" "$s" 2>/dev/null || true
        t1b=$(now)
        "$ESBUILD" --bundle --format=esm --splitting --log-level=error --loader:.ttf=file \
            --outdir="$work/out-$c-esbuild" "$s/main.js" 2>"$work/res-$c-esbuild.err" || {
            cat "$work/res-$c-esbuild.err" >&2
            die "esbuild failed on $c"
        }
        t2=$(now)
        kt="$kt $(python3 -c "print($t1 - $t0)")"
        nt="$nt $(python3 -c "print($t1b - $t1)")"
        et="$et $(python3 -c "print($t2 - $t1b)")"
    done
    # shellcheck disable=SC2086 # lists of numbers
    km=$(median $kt)
    # shellcheck disable=SC2086
    nm=$(median $nt)
    # shellcheck disable=SC2086
    em=$(median $et)
    if [ -n "$failed" ]; then
        why=$(grep -m1 ': error: ' "$work/res-$c-kiln.err" | sed 's|^kiln-build: error: ||')
        nerr=$(grep -c ': error: ' "$work/res-$c-kiln.err" || true)
        echo "   kiln-build FAILED ($nerr errors), e.g. $why"
        read -r eb en <<EOF
$(esbuild_js "$work/out-$c-esbuild")
EOF
        echo "   esbuild $em s, $eb bytes ($en files)"
        echo "| $c | $nmod | failed | $nm | - | $em | - | - | - | $eb ($en) | - | - | - | no: kiln-build fails ($nerr errors, e.g. \`$why\`) |" >>"$work/res-table"
        continue
    fi
    read -r kb kn <<EOF
$(kiln_js "$work/out-$c-kiln")
EOF
    # Once more with --minify-whitespace, for the size only.
    rm -rf "$work/out-$c-min"
    "$KILN_BUILD" -q --no-cache --no-sw --encodings none --minify-whitespace \
        -o "$work/out-$c-min" "$s" 2>/dev/null || die "kiln-build --minify-whitespace failed on $c"
    read -r kmb _ <<EOF
$(kiln_js "$work/out-$c-min")
EOF
    read -r eb en <<EOF
$(esbuild_js "$work/out-$c-esbuild")
EOF
    if grep -q 'left unbundled' "$work/res-$c-kiln.err"; then
        bundled="no: $(grep -m1 'left unbundled' "$work/res-$c-kiln.err" |
            sed "s|^kiln-build: warning: ||; s|: its entry points are left unbundled||")"
    else
        bundled=yes
    fi
    sed 's/^/   kiln: /' "$work/res-$c-kiln.err" | grep -v 'no page uses this file' | head -n 5
    tr=$(python3 -c "print('%.2f' % ($km / $em))")
    bc=$(python3 -c "print('%.3f' % max($km - $nm, 0))")
    br=$(python3 -c "print('%.2f' % (max($km - $nm, 0) / $em))")
    sr=$(python3 -c "print('%.3f' % ($kb / $eb))")
    msr=$(python3 -c "print('%.3f' % ($kmb / $eb))")
    if [ "$bundled" != yes ]; then
        # Unbundled, the page loads the modules as they are (bare specifiers
        # left to the browser's import map): no size to compare.
        kb=- kn=- sr=- kmb=- msr=-
    fi
    echo "   kiln-build $km s (--no-bundle $nm s: bundling costs $bc s, ${br}x esbuild), esbuild $em s: ${tr}x; JS kiln $kb bytes ($kn files), esbuild $eb bytes ($en files): ${sr}x; with --minify-whitespace $kmb bytes: ${msr}x; bundled: $bundled"
    echo "| $c | $nmod | $km | $nm | $bc | $em | $tr | $br | $kb ($kn) | $eb ($en) | $sr | $kmb | $msr | $bundled |" >>"$work/res-table"
done

cp "$work/res-table" "$results"
echo "== results (also in bench/results-bundle.md)"
cat "$results"
