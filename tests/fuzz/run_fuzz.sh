#!/bin/sh
# run_fuzz.sh — runs libFuzzer targets one after another for a bounded
# time each and prints a summary; what `make fuzz` calls.
#
#   tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS [TARGET...]
#
# Targets default to all five (stateful_batch reads the stateful corpus). Each run starts from the committed seed
# corpus (read only) plus a work corpus kept in BUILD_DIR/tests/fuzz/
# work-<target> (so repeated runs build on each other); crashes land in
# BUILD_DIR/tests/fuzz/crash-<target>-*. Exits 1 if any target crashed.
set -u
build=$1; secs=$2; shift 2
src=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- packet tcp_opts reasm stateful stateful_batch
dir=$build/tests/fuzz
status=0
summary=""
for t in "$@"; do
    bin=$dir/fuzz_$t
    [ -x "$bin" ] || { echo "run_fuzz: $bin not built" >&2; exit 2; }
    mkdir -p "$dir/work-$t"
    log=$dir/fuzz-$t.log
    echo "fuzz: $t for ${secs}s (log: $log)"
    start=$(date +%s)
    marker=$dir/.fuzz-start-$t
    : >"$marker"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/crash-$t-" "$dir/work-$t" "$src/corpus/${t%_batch}" >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 | sed 's/.*cov: \([0-9]*\).*/\1/')
    corp=$(ls "$dir/work-$t" | wc -l)
    crashes=$(find "$dir" -maxdepth 1 -name "crash-$t-*" -newer "$marker" | wc -l)
    rm -f "$marker"
    if [ $rc -ne 0 ]; then
        status=1
        res="CRASH (exit $rc): $(grep -m1 -E 'ERROR|invariant' "$log")"
    else
        res="clean"
    fi
    summary="$summary$(printf '%-9s %6ss %10s execs  cov %-5s corpus %-5s new crash files %-3s %s' \
        "$t" "$took" "${execs:-?}" "${cov:-?}" "$corp" "$crashes" "$res")
"
done
echo "fuzz summary:"
printf '%s' "$summary"
exit $status
