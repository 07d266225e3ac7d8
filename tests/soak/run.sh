#!/bin/sh
# tests/soak/run.sh: the soak and fault campaign (docs/reliability.md). Not
# part of make test: make soak runs it. Every phase is bounded, on 127.0.0.1
# only, and stops every process it started.
#
# Phases (SOAK_PHASES, in this order; default all):
#   load    SOAK_MINUTES of checked mixed load with a release switch and SIGHUP
#           every SOAK_RELOAD_SECONDS, aborts mid-body and slow readers; RSS
#   flood   SOAK_FLOOD_CONNS slowloris connections on the plain port, then on
#           the TLS port (then TLS again), each SOAK_FLOOD_SECONDS, while
#           well-formed clients are served and checked
#   emfile  kiln-edge under ulimit -n 64, three times 192 connections
#   served  the served release deleted, replaced, a file truncated in place
#   build   kiln-build on a full tmpfs, with an unreadable file, a corrupt cache
#   tsan    the load phase for SOAK_TSAN_MINUTES against build/tsan/bin/kiln-edge
#   fuzz    each libFuzzer target for SOAK_FUZZ_SECONDS, corpora merged into
#           tests/fuzz/corpus/<target>, runs appended to tests/soak/fuzz-ledger.tsv
#
# Environment: SOAK_MINUTES (30), SOAK_PHASES, SOAK_OUT (build/soak), SOAK_FUZZ_SECONDS
# (300), SOAK_TSAN_MINUTES (SOAK_MINUTES / 6, at least 1), SOAK_FLOOD_CONNS (10000),
# SOAK_FLOOD_SECONDS (90), SOAK_CLIENTS (6), SOAK_EDGE_ARGS (extra kiln-edge options,
# e.g. --allow-root; added by itself when running as root and the binary has it),
# KILN_BUILD, KILN_EDGE (bin/). Output: TAP-like lines, then the figures block
# (tests/soak/summary.py) that goes into docs/reliability.md.
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
py=/usr/bin/python3
[ -x "$py" ] || py=python3

: "${SOAK_MINUTES:=30}"
: "${SOAK_PHASES:=load flood emfile served build tsan fuzz}"
: "${SOAK_OUT:=$root/build/soak}"
: "${SOAK_FUZZ_SECONDS:=300}"
: "${SOAK_FLOOD_SECONDS:=90}"
: "${SOAK_TSAN_MINUTES:=$(awk -v m="$SOAK_MINUTES" 'BEGIN { t = m / 6; print (t < 1 ? 1 : t) }')}"
export KILN_BUILD="${KILN_BUILD:-$root/bin/kiln-build}" KILN_EDGE="${KILN_EDGE:-$root/bin/kiln-edge}"
export SOAK_MINUTES SOAK_FLOOD_SECONDS

rm -rf "$SOAK_OUT"
mkdir -p "$SOAK_OUT"
work=$(mktemp -d /tmp/kiln-soak.XXXXXX)
# The phases stop their own servers; this is the net for an interrupted run:
# only the processes this script started (its children), by pid.
cleanup() {
    for p in $(pgrep -P $$ 2>/dev/null); do kill "$p" 2>/dev/null; done
    mountpoint -q "$work/build/disk" 2>/dev/null && umount "$work/build/disk"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "# soak: $started, phases: $SOAK_PHASES, SOAK_MINUTES=$SOAK_MINUTES"
echo "# kiln-edge: $KILN_EDGE; kiln-build: $KILN_BUILD"

phase() {  # phase NAME CMD...: runs it, its TAP lines to stdout and OUT/NAME.log
    name=$1
    shift
    echo "== $name"
    t0=$(date +%s)
    "$@" 2>&1 | tee "$SOAK_OUT/$name.log"
    bad=$(grep -c '^not ok' "$SOAK_OUT/$name.log")
    ok=$(grep -c '^ok' "$SOAK_OUT/$name.log")
    [ "$ok" -gt 0 ] || bad=$((bad + 1))
    failed=$((failed + bad))
    echo "# $name: $ok passed, $bad failed, $(( $(date +%s) - t0 )) s"
}

for p in $SOAK_PHASES; do
    case $p in
    load) phase load "$py" tests/soak/soak.py load "$SOAK_OUT" "$work/load" "$SOAK_MINUTES" ;;
    flood) phase flood "$py" tests/soak/soak.py flood "$SOAK_OUT" "$work/flood" "$SOAK_FLOOD_SECONDS" ;;
    emfile) phase emfile "$py" tests/soak/soak.py emfile "$SOAK_OUT" "$work/emfile" ;;
    served) phase served "$py" tests/soak/soak.py served "$SOAK_OUT" "$work/served" ;;
    build) phase build "$py" tests/soak/soak.py build "$SOAK_OUT" "$work/build" ;;
    tsan)
        tsan=$root/build/tsan/bin/kiln-edge
        mkdir -p "$SOAK_OUT/tsan"
        phase tsan env KILN_EDGE="$tsan" SOAK_LABEL=tsan SOAK_CLIENTS=3 \
            TSAN_OPTIONS="log_path=$SOAK_OUT/tsan/report second_deadlock_stack=1" \
            "$py" tests/soak/soak.py load "$SOAK_OUT" "$work/tsan" "$SOAK_TSAN_MINUTES"
        for r in "$SOAK_OUT"/tsan/report*; do
            [ -f "$r" ] || continue
            echo "not ok - ThreadSanitizer report: $r"
            sed 's/^/#   /' "$r" | head -n 60
            failed=$((failed + 1))
        done
        ls "$SOAK_OUT"/tsan/report* >/dev/null 2>&1 || echo "ok - no ThreadSanitizer report"
        ;;
    fuzz) phase fuzz sh tests/soak/fuzz.sh "$SOAK_FUZZ_SECONDS" "$SOAK_OUT" ;;
    *) echo "not ok - unknown phase $p"; failed=$((failed + 1)) ;;
    esac
done

echo "== summary"
"$py" tests/soak/summary.py "$SOAK_OUT" "$started" | tee "$SOAK_OUT/summary.md"
echo "# soak: $failed failed"
[ "$failed" -eq 0 ]
