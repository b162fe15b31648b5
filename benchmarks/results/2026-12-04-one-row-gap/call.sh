#!/bin/bash
# Entry 294's probe (device): dispatch_sweep PREFILL_MIN_SM_PERCENT=90,50 (this tree's one_launch.py over the wheel's)
# on 67-118 one-row r16 segments at 6 shapes, where the prefill tile's one-block launch fills 51-89% of the SMs and
# the fused kernel's grid handoff (or the pair) runs them today; medians of 2, both dtypes.
# Usage (device): bash benchmarks/results/2026-12-04-one-row-gap/call.sh dist_287
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/rec/sgmv/one_launch.py
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/rec timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/gap-$dt" $dt PREFILL_MIN_SM_PERCENT=90,50 \
    --batches=67x1,80x1,100x1,118x1 --ranks=16 --repeat=2 --ops=add_lora \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,2048x2048,18944x3584 > "$OUT/gap-$dt.txt" 2>&1
  tail -25 "$OUT/gap-$dt.txt" | awk '{print $2, $3, $4, $5}'
done
