#!/bin/bash
# Entry 299 (device): the tree's one_launch.py (PREFILL_ONE_ROW_TWO_BLOCK_PAIRS) over the installed wheel's, then
# dispatch_sweep PREFILL_ONE_ROW_TWO_BLOCK_PAIRS=0,1 on one-row (and two-row) batches of 67-132 segments at ranks 8
# and 16, six shapes, medians of 2, bf16 then fp16; then PREFILL_ONE_ROW_UNPAIRED_MIN_SM_PERCENT=75,50 at ranks 32
# and 64 (no kernel of two blocks an SM there) on 67-98 segments, bf16.
# Usage (device): bash benchmarks/results/2026-12-04-one-row-pairs-shipped/call.sh dist_294
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/rec/sgmv/one_launch.py
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/rec timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/pairs-$dt" $dt \
    PREFILL_ONE_ROW_TWO_BLOCK_PAIRS=0,1 --batches=67x1,80x1,98x1,110x2,120x1,132x1 --ranks=8,16 --repeat=2 \
    --ops=add_lora --shapes=4096x4096,8192x8192,4096x14336,14336x4096,2048x2048,18944x3584 > "$OUT/pairs-$dt.txt" 2>&1
  tail -73 "$OUT/pairs-$dt.txt" | awk '{print $2, $3, $4, $5}'
done
PYTHONPATH=/tmp/rec timeout 120 python3 benchmarks/dispatch_sweep.py "$OUT/unpaired" bf16 \
  PREFILL_ONE_ROW_UNPAIRED_MIN_SM_PERCENT=75,50 --batches=67x1,80x1,90x1,98x1 --ranks=32,64 --repeat=2 \
  --ops=add_lora --shapes=4096x4096,8192x8192,4096x14336,14336x4096 > "$OUT/unpaired.txt" 2>&1
tail -33 "$OUT/unpaired.txt" | awk '{print $2, $3, $4, $5}'
