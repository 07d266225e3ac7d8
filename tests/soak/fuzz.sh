#!/bin/sh
# tests/soak/fuzz.sh SECONDS OUT: the campaign's fuzzing (docs/reliability.md).
# Each libFuzzer target in build/fuzz/ runs SECONDS on its working corpus
# (build/fuzz/corpus/<target>, kept between runs, as make fuzz-run keeps it)
# seeded by the committed one (tests/fuzz/corpus/<target>); then the committed
# corpus is minimised anew from both (minimise, below), and make test replays
# it under ASan+UBSan (the first 30-second runs added 7,474
# small inputs, about 1 MB: commit them in a commit of their own). One line
# per run is appended to
# tests/soak/fuzz-ledger.tsv, so the CPU-hours add up across sessions.
# SECONDS 0 only minimises the committed corpora (no run, no ledger line).
# SOAK_FUZZ_TARGETS limits the targets (space-separated names); SOAK_FUZZ_LEDGER
# names another ledger (a trial run).
# A crash stops nothing else: its reproducer is kept in OUT/fuzz/ and the
# run fails; once fixed, commit it into tests/fuzz/corpus/<target>/.
set -u
secs=$1
out=$2
ledger=${SOAK_FUZZ_LEDGER:-tests/soak/fuzz-ledger.tsv}
mkdir -p "$out/fuzz"
[ -f "$ledger" ] || printf 'date\ttarget\tseconds\tcpu_seconds\texecutions\tcorpus_before\tcorpus_after\tcrashes\n' > "$ledger"
bad=0

# The committed corpus, minimised: the named inputs (seeds, crash regressions)
# stay; the hash-named ones, which earlier merges added, are chosen again from
# the committed and working corpora: libFuzzer's -merge=1 into a directory
# holding only the named ones takes, smallest first, each input that adds
# coverage. On any failure the committed corpus is left as it was.
minimise() {
    m_bin=$1 m_seeds=$2 m_work=$3 m_out=$4
    rm -rf "$m_out.min"
    mkdir -p "$m_out.min"
    ls "$m_seeds" | grep -Ev '^[0-9a-f]{40}$' | while read -r f; do
        cp "$m_seeds/$f" "$m_out.min/"
    done
    if "$m_bin" -merge=1 "$m_out.min" "$m_seeds" "$m_work" > "$m_out.merge.log" 2>&1; then
        ls "$m_seeds" | grep -E '^[0-9a-f]{40}$' | while read -r f; do rm -f "$m_seeds/$f"; done
        ls "$m_out.min" | grep -E '^[0-9a-f]{40}$' | while read -r f; do
            cp "$m_out.min/$f" "$m_seeds/"
        done
    fi
    rm -rf "$m_out.min"
}

for bin in build/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    t=$(basename "$bin")
    case " ${SOAK_FUZZ_TARGETS:-$t} " in *" $t "*) ;; *) continue ;; esac
    work=build/fuzz/corpus/$t
    seeds=tests/fuzz/corpus/$t
    mkdir -p "$work" "$seeds"
    before=$(ls "$seeds" | wc -l)
    if [ "$secs" = 0 ]; then
        minimise "$bin" "$seeds" "$work" "$out/fuzz/$t"
        echo "ok - $t: corpus $before -> $(ls "$seeds" | wc -l) (minimised)"
        continue
    fi
    log=$out/fuzz/$t.log
    # Only this run's reproducers count: OUT may hold an earlier run's.
    old=$(ls "$out/fuzz/crash-$t-"* 2>/dev/null | wc -l)
    /usr/bin/time -f '%e %U %S' -o "$out/fuzz/$t.time" \
        "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/fuzz/crash-$t-" "$work" "$seeds" > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cpu=$(tail -n 1 "$out/fuzz/$t.time" 2>/dev/null | awk '{ printf "%.0f", $2 + $3 }')
    crashes=$(($(ls "$out/fuzz/crash-$t-"* 2>/dev/null | wc -l) - old))
    minimise "$bin" "$seeds" "$work" "$out/fuzz/$t"
    after=$(ls "$seeds" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%d)" "$t" "$secs" "${cpu:-0}" \
        "${execs:-0}" "$before" "$after" "$crashes" >> "$ledger"
    if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        bad=1
        echo "not ok - $t: exit $rc, $crashes crash reproducers in $out/fuzz/ (see $log)"
        grep -m 5 -E 'ERROR|SUMMARY|runtime error' "$log" | sed 's/^/#   /'
    else
        echo "ok - $t: ${secs} s, ${execs:-0} executions, corpus $before -> $after (merged)"
    fi
done
exit $bad
