#!/bin/sh
# Runs tests/frameworks/test_*.mjs (or the ones named) and prints
# "N passed, N failed", counting TAP lines as tests/run.sh does: a script that
# exits non-zero without a "not ok" line counts as one failure. `make frameworks`
# runs it; `make test` runs the same scripts from tests/run.sh.
# Environment: KILN_BUILD, KILN_EDGE (default: the ASan build), KILN_NPM_CACHE,
# KILN_FW_CACHE (see tests/frameworks/README.md).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
[ $# -gt 0 ] || set -- tests/frameworks/test_*.mjs
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
passed=0 failed=0
for t in "$@"; do
    start=$(date +%s)
    node "$t" >"$out" 2>&1
    rc=$?
    cat "$out"
    ok=$(grep -c '^ok ' "$out")
    bad=$(grep -c '^not ok ' "$out")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
        echo "not ok - $t exited with status $rc"
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    echo "== $(basename "$t" .mjs): $ok passed, $bad failed ($(($(date +%s) - start)) s)"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
