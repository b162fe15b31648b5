#!/bin/bash
# Entry 311 (device): the final tree on the GPU: dist_307's kernels (the tree's, byte for byte) with the tree's
# Python over them (entry 310's GEMV_FALLBACK_MAX_WAVES is the only change to python/sgmv since): the one-launch
# tests of gemv and one-row batches, test_gpu_ops.py, the gemv kernels' per-kernel tests, then the full sweep's
# rank-8 distinct bs256 cases, both dtypes, checked and timed by the bench.
# Usage (device): bash benchmarks/results/2026-12-04-final-tree/call.sh dist_307
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/
export PYTHONPATH=/tmp/rec
(cd tests && timeout 300 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "gemv or one_row" \
   2>&1 | tail -3; timeout 150 python3 -m pytest -q -p no:cacheprovider test_gpu_ops.py 2>&1 | tail -1
 timeout 60 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k gemv 2>&1 | tail -1) > "$OUT/tests.txt" 2>&1
cat "$OUT/tests.txt"
(cd /tmp && timeout 100 python3 -m sgmv bench --dtype bf16,fp16 --op add_lora --cases r8_distinct_bs256 --no-baselines \
   --no-pairs --out /tmp/b > "$OUT/bench.txt" 2>&1; cp /tmp/b/table.txt "$OUT/table.txt")
grep -v "^\[" "$OUT/table.txt"
