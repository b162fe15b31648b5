#!/bin/bash
# Entry 296's probe (prepared; device): probe.patch over the installed wheel's one_launch.py
# (PREFILL_ONE_ROW_TWO_BLOCK_PAIRS: one-row batches of more segments than one wave of pairs on the 16-row tile's
# two-block kernel in clusters of 2), dispatch_sweep PREFILL_ONE_ROW_UNPAIRED_MIN_SM_PERCENT=75,50,50 with
# PREFILL_ONE_ROW_TWO_BLOCK_PAIRS=0,0,1 (today; blocks of one from 50%; two-block pairs from 50%) on 67-130 one-row
# r16 segments at 6 shapes, medians of 2, bf16 then fp16.
# Usage (device): bash benchmarks/results/2026-12-04-one-row-pairs/call.sh dist_294
set -u
dir=benchmarks/results/2026-12-04-one-row-pairs
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/one_launch.py && patch -s /tmp/one_launch.py < "$dir/probe.patch" || exit 1
cp /tmp/one_launch.py /tmp/rec/sgmv/one_launch.py
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/rec timeout 250 python3 benchmarks/dispatch_sweep.py "$OUT/pairs-$dt" $dt \
    PREFILL_ONE_ROW_UNPAIRED_MIN_SM_PERCENT=75,50,50 --with=PREFILL_ONE_ROW_TWO_BLOCK_PAIRS=0,0,1 \
    --batches=67x1,72x1,80x1,90x1,98x1,100x1,118x1,130x1 --ranks=16 --repeat=2 --ops=add_lora \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,2048x2048,18944x3584 > "$OUT/pairs-$dt.txt" 2>&1
  tail -49 "$OUT/pairs-$dt.txt" | awk '{print $2, $3, $4, $5, $6}'
done
# Entry 297: entry 294's rule at rank 128 where it moves batches onto rank 64's halves (h_out 2048), bf16.
PYTHONPATH=/tmp/rec timeout 100 python3 benchmarks/dispatch_sweep.py "$OUT/r128" bf16 \
  PREFILL_ONE_ROW_UNPAIRED_MIN_SM_PERCENT=90,75 --batches=100x1,118x1 --ranks=128 --repeat=2 --ops=add_lora \
  --shapes=4096x2048,8192x2048,14336x2048 > "$OUT/r128.txt" 2>&1
tail -7 "$OUT/r128.txt" | awk '{print $2, $3, $4, $5}'
