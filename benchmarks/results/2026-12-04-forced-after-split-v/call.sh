#!/bin/bash
# Entry 281: every one-launch kernel of the case's rank forced (fused tiles and twins, prefill, gemv) and the launch
# pair, against dispatch's pick, on the quick decode misses and near-line cases, both dtypes: entry 250's probe again
# on the shipped kernels (dist_275), after entries 262-269 changed the fused kernels' speeds.
# Usage (device): bash benchmarks/results/2026-12-04-forced-after-split-v/call.sh dist_275
set -u
wheel_dir=$1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cases="identical_bs256,uniform_bs256,distinct_bs256,distinct_bs16,identical_bs64,uniform_bs64,distinct_bs64"
for dt in bf16 fp16; do
  timeout 280 python3 benchmarks/fused_sweep.py "$OUT/forced-$dt.json" $dt "$cases" quick 2>&1 | tee "$OUT/forced-$dt.txt"
done
