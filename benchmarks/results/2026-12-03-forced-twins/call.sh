#!/bin/bash
# Entry 250: every fused kernel of the case's rank forced (twins included) on the quick decode misses, both dtypes;
# then the in-turn twin test and the graph and streams test (rewritten in d908b6e, not yet run on the GPU).
# Usage (device): bash benchmarks/results/2026-12-03-forced-twins/call.sh dist_250
set -u
wheel_dir=$1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cases="identical_bs256,uniform_bs256,distinct_bs16,identical_bs64,uniform_bs64"
for dt in bf16 fp16; do
  python3 benchmarks/fused_sweep.py "$OUT/forced-$dt.json" $dt "$cases" quick "w4m,w8m" 2>&1 | tee "$OUT/forced-$dt.txt"
done
(cd tests && python3 -m pytest -q -p no:cacheprovider . -k "barriers_per_row_tile or graphs_and_streams" 2>&1) | tail -5 | tee "$OUT/tests.txt"
