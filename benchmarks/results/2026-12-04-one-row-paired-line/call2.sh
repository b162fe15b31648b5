#!/bin/bash
# Entry 300's check (device): the tree's one_launch.py (PREFILL_ONE_ROW_MIN_SM_PERCENT = 65 for one-row batches in
# clusters of 2 too) over the installed wheel's, dispatch_sweep PREFILL_ONE_ROW_MIN_SM_PERCENT=90,65 on the batches
# the line moves that the probe did not time: rank 16 where the gemv kernel expands in two rounds or more (43-59
# segments) and rank 128 (rank 64's halves), bf16, medians of 2; then the full sweep of record on the same wheel.
# Usage (device): bash benchmarks/results/2026-12-04-one-row-paired-line/call2.sh dist_299
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/rec/sgmv/one_launch.py
PYTHONPATH=/tmp/rec timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/line-r16" bf16 \
  PREFILL_ONE_ROW_MIN_SM_PERCENT=90,65 --batches=43x1,48x1,59x1,50x2 --ranks=16 --repeat=2 --ops=add_lora \
  --shapes=8192x8192,4096x14336,3584x18944,5120x13824 > "$OUT/line-r16.txt" 2>&1
tail -17 "$OUT/line-r16.txt" | awk '{print $2, $3, $4, $5}'
PYTHONPATH=/tmp/rec timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/line-r128" bf16 \
  PREFILL_ONE_ROW_MIN_SM_PERCENT=90,65 --batches=43x1,48x1,59x1,50x2 --ranks=128 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,4096x14336,18944x3584 > "$OUT/line-r128.txt" 2>&1
tail -17 "$OUT/line-r128.txt" | awk '{print $2, $3, $4, $5}'
bash benchmarks/run_of_record.sh "$1" full
