#!/bin/sh
# Runs kiln's tests and prints one summary line: "N passed, N failed".
# Unit, fuzz replay, js262, e2e (Python), polyfills (Node and Duktape),
# lower (the lowering's corpus),
# browser (node + chromium) and frameworks tests: all of them, or the suites
# named (`sh tests/run.sh frameworks` is make frameworks). Each test program
# speaks TAP; this script adds up their "ok"/"not ok" lines. A program that
# crashes or exits non-zero without a "not ok" line counts as one failure.
# Environment: KILN_BUILD, KILN_EDGE (the binaries under test), BUILD_DIR.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
: "${BUILD_DIR:=$top/build/asan}"
: "${KILN_BUILD:=$BUILD_DIR/bin/kiln-build}"
: "${KILN_EDGE:=$BUILD_DIR/bin/kiln-edge}"
export KILN_BUILD KILN_EDGE BUILD_DIR
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT INT TERM
passed=0 failed=0
suites=" ${*:-unit fuzz-replay js262 e2e polyfills lower browser frameworks} "
want() { case "$suites" in *" $1 "*) return 0 ;; esac; return 1; }

run() { # name, command...
    name=$1; shift
    out="$log/out"
    start=$(date +%s)
    "$@" >"$out" 2>&1
    rc=$?
    took="$(($(date +%s) - start)) s"
    # A skipped test ("ok N - ... # SKIP why") is counted apart, not passed.
    ok=$(grep '^ok ' "$out" | grep -vc ' # SKIP')
    skip=$(grep -c '^ok .* # SKIP' "$out")
    sk=""
    [ "$skip" -gt 0 ] && sk=", $skip skipped"
    bad=$(grep -c '^not ok ' "$out")
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1
        echo "not ok - $name exited with status $rc"
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ]; then
        echo "== $name: $ok passed$sk, $bad failed ($took)"
        sed 's/^/    /' "$out" | tail -n 60
    else
        echo "== $name: $ok passed$sk ($took)"
    fi
}

if want unit; then
    for t in "$BUILD_DIR"/tests/unit/test_*; do
        [ -x "$t" ] || continue
        case "$t" in *.o|*.d) continue ;; esac
        run "unit/$(basename "$t")" "$t"
    done
fi
if want fuzz-replay; then
    for r in "$BUILD_DIR"/tests/fuzz/*-replay; do
        [ -x "$r" ] || continue
        n=$(basename "$r" -replay)
        run "fuzz-replay/$n" "$r" "tests/fuzz/corpus/$n"
    done
fi
# ECMAScript parser conformance: test262-parser-tests (installed by make test
# with npm ci); one TAP line per category, counts checked against a baseline.
if want js262 && [ -x "$BUILD_DIR/tests/js262/runner" ]; then
    run "js262" "$BUILD_DIR/tests/js262/runner" \
        tests/js262/node_modules/test262-parser-tests tests/js262/baseline \
        tests/js262/es2023-valid.txt
    sed -n 's/^\(not \)\{0,1\}ok [0-9]* - /    /p' "$log/out"
fi
# The e2e tests run on Debian's python3, whatever python3 comes first on PATH
# (a pyenv's, say): python3-h2, which their HTTP/2 client needs, is a Debian
# package (make deps installs it) and only that interpreter imports it.
if want e2e; then
    py=/usr/bin/python3
    [ -x "$py" ] || py=python3
    for e in tests/e2e/test_*.py; do
        [ -f "$e" ] || continue
        run "e2e/$(basename "$e" .py)" "$py" "$e"
    done
    # The HTTP semantics once more, through kiln-edge's TLS record layer, and
    # twice over HTTP/2: with prior knowledge on cleartext, and by ALPN on TLS.
    run "e2e/test_edge[tls]" env KILN_E2E_TLS=1 "$py" tests/e2e/test_edge.py
    run "e2e/test_edge[h2c]" env KILN_E2E_PROTO=h2c "$py" tests/e2e/test_edge.py
    run "e2e/test_edge[h2]" env KILN_E2E_PROTO=h2 "$py" tests/e2e/test_edge.py
fi
# kiln's polyfills (builder/lower/polyfills/): each file's checks in Node
# natively, then in Node and Duktape with the native deleted.
if want polyfills; then
    run "polyfills" /usr/bin/python3 tests/polyfills/run.py
fi
# The lowering's semantic corpus (tests/lower/README.md): every program at
# every target, in Node, and the ES5 ones in Duktape. kiln-lower is required.
if want lower; then
    run "lower/corpus" /usr/bin/python3 tests/lower/run_corpus.py
fi
# The browser tests (headless chromium): a missing node_modules is a failure,
# never a skip.
if want browser; then
    for b in tests/browser/test_*.mjs; do
        [ -f "$b" ] || continue
        run "browser/$(basename "$b" .mjs)" node "$b"
    done
fi
# Real framework sites built from npm (tests/frameworks/README.md): the
# framework's own dist against its kiln release, online and offline.
if want frameworks; then
    for b in tests/frameworks/test_*.mjs; do
        [ -f "$b" ] || continue
        run "frameworks/$(basename "$b" .mjs)" node "$b"
    done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
