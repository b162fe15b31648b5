#!/usr/bin/env bash
# NOTES entry 249, the record's first call: the quick and full sweeps of record on the final wheel
# (run_of_record.sh), then memcheck over the `_tb` kernels' forced handoff tests at one shape and the test that runs
# them in turn with their plain twins. The whole suite is the second call (`run_of_record.sh dist_249f suite`).
#   run(command="python3 benchmarks/wheel_xz.py unpack dist_249fx dist_249f &&
#                bash benchmarks/results/2026-12-03-tile-barrier/call3.sh dist_249f", carry=["dist_249fx"])
set -o pipefail
bash benchmarks/run_of_record.sh "$1" quick full
(cd tests && PYTHONPATH=/tmp/rec timeout 200 compute-sanitizer --tool memcheck --report-api-errors no \
   python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
   -k "(_tb and 1032x1000) or barriers_per_row_tile" > "$OUT/memcheck-tb.txt" 2>&1
 [ $? = 124 ] && echo "TIMED OUT after 200 s" >> "$OUT/memcheck-tb.txt")
echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck-tb.txt" | tail -1) $(tail -1 "$OUT/memcheck-tb.txt")"
