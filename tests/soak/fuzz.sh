#!/bin/sh
# tests/soak/fuzz.sh SECONDS OUT: the campaign's fuzzing (docs/reliability.md).
# Each libFuzzer target in build/fuzz/ runs SECONDS on its working corpus
# (build/fuzz/corpus/<target>, kept between runs, as make fuzz-run keeps it)
# seeded by the committed one (tests/fuzz/corpus/<target>); then the inputs
# that add coverage are merged into the committed corpus (-merge=1), which
# make test replays under ASan+UBSan (the first 30-second runs added 7,474
# small inputs, about 1 MB: commit them in a commit of their own). One line
# per run is appended to
# tests/soak/fuzz-ledger.tsv, so the CPU-hours add up across sessions.
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
for bin in build/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    t=$(basename "$bin")
    case " ${SOAK_FUZZ_TARGETS:-$t} " in *" $t "*) ;; *) continue ;; esac
    work=build/fuzz/corpus/$t
    seeds=tests/fuzz/corpus/$t
    mkdir -p "$work" "$seeds"
    before=$(ls "$seeds" | wc -l)
    log=$out/fuzz/$t.log
    /usr/bin/time -f '%e %U %S' -o "$out/fuzz/$t.time" \
        "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/fuzz/crash-$t-" "$work" "$seeds" > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cpu=$(tail -n 1 "$out/fuzz/$t.time" 2>/dev/null | awk '{ printf "%.0f", $2 + $3 }')
    crashes=$(ls "$out/fuzz/crash-$t-"* 2>/dev/null | wc -l)
    "$bin" -merge=1 "$seeds" "$work" > "$out/fuzz/$t.merge.log" 2>&1 || true
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
