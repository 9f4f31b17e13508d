#!/bin/bash
# Run libFuzzer targets one after another and print a summary line each.
#
#   fuzz/run.sh SECONDS BUILD NAME:MAX_LEN[:DICT] ...
#
# NAME's binary is BUILD/fuzz/NAME_fuzz; it runs for SECONDS on the corpus
# BUILD/fuzz-corpus/NAME (new inputs go there) and the seeds fuzz/corpus/NAME.
# Its output goes to BUILD/fuzz-logs/NAME.log; crash, leak, timeout and
# out-of-memory inputs to BUILD/fuzz-artifacts/NAME/. The summary counts
# runs (libFuzzer's "Done N runs in S second(s)"), wall seconds and crashes
# (inputs written there by this run, or 1 for a run that failed without
# one). Exits 1 when any target had a crash.
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 SECONDS BUILD NAME:MAX_LEN[:DICT] ..." >&2
    exit 2
fi
secs=$1 build=$2
shift 2
cd "$(dirname "$0")/.."

summary=() total_runs=0 total_secs=0 total_crashes=0
for spec in "$@"; do
    IFS=: read -r name max_len dict <<<"$spec"
    bin=$build/fuzz/${name}_fuzz corpus=$build/fuzz-corpus/$name
    art=$build/fuzz-artifacts/$name log=$build/fuzz-logs/$name.log
    mkdir -p "$corpus" "$art" "$(dirname "$log")"
    stamp=$build/fuzz-logs/.$name.start
    touch "$stamp"
    args=(-max_total_time="$secs" -max_len="$max_len" -timeout=5 -print_final_stats=1 -artifact_prefix="$art/")
    [ -n "$dict" ] && args+=(-dict="$dict")
    echo "fuzz: $name for $secs s (log $log)"
    start=$(date +%s)
    "$bin" "${args[@]}" "$corpus" "fuzz/corpus/$name" >"$log" 2>&1
    rc=$?
    wall=$(($(date +%s) - start))
    runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=0
    found=$(find "$art" -type f -newer "$stamp")
    rm -f "$stamp"
    crashes=$(printf '%s' "$found" | grep -c .)
    [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
    if [ "$crashes" -ne 0 ]; then
        echo "fuzz: $name FAILED (exit $rc); end of $log:"
        tail -n 40 "$log"
        [ -n "$found" ] && printf 'fuzz: input: %s\n' $found
    fi
    files=$(find "$corpus" -type f | wc -l)
    summary+=("$(printf 'fuzz summary: %-10s %10s runs in %4s s, %s crashes (corpus %s files)' \
        "$name" "$runs" "$wall" "$crashes" "$files")")
    total_runs=$((total_runs + runs)) total_secs=$((total_secs + wall)) total_crashes=$((total_crashes + crashes))
done
printf '%s\n' "${summary[@]}"
printf 'fuzz total: %s runs in %s s (%s.%s CPU-minutes), %s crashes\n' "$total_runs" "$total_secs" \
    $((total_secs / 60)) $((total_secs % 60 * 10 / 60)) "$total_crashes"
[ "$total_crashes" -eq 0 ]
