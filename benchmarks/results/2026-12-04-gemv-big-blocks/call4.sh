#!/bin/bash
# Entry 290's check of the shipped rule (device): dist_287's kernels with this tree's one_launch.py (the only Python
# file that differs), the gemv tests of test_gpu_one_launch.py, then dispatch_sweep GEMV_BIG_BLOCK_MAX_ROUNDS=0,1 on
# the 8-9 one-row segments at the shapes whose pick the rule moves to 8-warp clusters of 8 (entry 288 timed the
# 4-warp ones), bf16 and fp16.
# Usage (device): bash benchmarks/results/2026-12-04-gemv-big-blocks/call4.sh dist_287
set -u
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/site/sgmv/one_launch.py
(cd tests && PYTHONPATH=/tmp/site timeout 300 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "gemv or one_row" 2>&1 | tail -4) | tee "$OUT/tests.txt"
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/site timeout 100 python3 benchmarks/dispatch_sweep.py "$OUT/eight-$dt" $dt GEMV_BIG_BLOCK_MAX_ROUNDS=0,1 \
    --batches=8x1,9x1 --ranks=16 --repeat=2 --ops=add_lora \
    --shapes=4096x14336,4096x8192,8192x8192,14336x4096,5120x5120 > "$OUT/eight-$dt.txt" 2>&1
  tail -12 "$OUT/eight-$dt.txt"
done
