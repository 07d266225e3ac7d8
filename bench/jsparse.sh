#!/bin/sh
# kiln's ECMAScript parser on a large real package: fetches it with npm at run
# time (never committed), parses every .js and .mjs file of it as a module
# (a .js file that fails as a module is retried as a classic script), and runs
# scope analysis on each. Prints the error of each file that fails and the
# total time; exits 1 on any error.
#
# Environment:
#   BENCH_JS_PKG  npm spec (default monaco-editor@0.52.2: its esm/, dev/ and
#                 min/ trees, ~1,200 files, 64 MB)
#   BENCH_WORK    work directory (default: a temporary one, removed at exit)
#   JS_RUNNER     the driver (default: build/rel/tests/js262/runner)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
BENCH_JS_PKG=${BENCH_JS_PKG:-monaco-editor@0.52.2}
JS_RUNNER=${JS_RUNNER:-$top/build/rel/tests/js262/runner}

die() {
    echo "bench/jsparse.sh: $*" >&2
    exit 1
}

[ -x "$JS_RUNNER" ] || die "no $JS_RUNNER (make build/rel/tests/js262/runner)"
command -v npm >/dev/null || die "npm missing (make deps)"
if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT INT TERM
fi
mkdir -p "$work/dl" "$work/js"
if [ ! -f "$work/js/package.json" ]; then
    f=$(cd "$work/dl" && npm pack --silent "$BENCH_JS_PKG" | tail -n 1) ||
        die "npm pack $BENCH_JS_PKG failed (network? registry?)"
    tar -xzf "$work/dl/$f" -C "$work/js" --strip-components=1
fi
list=$work/files
find "$work/js" -type f \( -name '*.js' -o -name '*.mjs' \) | sort >"$list"
n=$(wc -l <"$list")
bytes=$(xargs cat <"$list" | wc -c)
echo "== parsing $n files ($bytes bytes) of $BENCH_JS_PKG"
start=$(date +%s.%N)
rc=0
xargs "$JS_RUNNER" --parse <"$list" >"$work/out" || rc=$?
end=$(date +%s.%N)
grep -v '^[0-9]* files, ' "$work/out" | sed "s|$work/js/||" | head -n 50
errors=$(grep -c ':[0-9]*:[0-9]*: ' "$work/out" || true)
python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); \
print(f'{sys.argv[3]} files, {sys.argv[4]} errors, {t:.2f} s, {int(sys.argv[5])/t/1e6:.1f} MB/s')" \
    "$start" "$end" "$n" "$errors" "$bytes"
[ "$rc" -eq 0 ] && [ "$errors" -eq 0 ]
