#!/bin/bash
# Entry 291's probe (device): probe.patch over the installed wheel's one_launch.py (GEMV_OVER_PREFILL: the gemv pick
# over the prefill kernel's 16-row tile), dispatch_sweep GEMV_OVER_PREFILL=0,1 on 60-66 one-row r16 segments at 10
# shapes, medians of 2, both dtypes.
# Usage (device): bash benchmarks/results/2026-12-04-gemv-64/call.sh dist_287
set -u
dir=benchmarks/results/2026-12-04-gemv-64
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/one_launch.py && patch -s /tmp/one_launch.py < "$dir/probe.patch" || exit 1
cp /tmp/one_launch.py /tmp/rec/sgmv/one_launch.py
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/rec timeout 250 python3 benchmarks/dispatch_sweep.py "$OUT/g64-$dt" $dt GEMV_OVER_PREFILL=0,1 \
    --batches=60x1,62x1,64x1,66x1 --ranks=16 --repeat=2 --ops=add_lora \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,2048x2048,5120x5120,4096x8192,8192x4096,3584x18944,18944x3584 \
    > "$OUT/g64-$dt.txt" 2>&1
  tail -42 "$OUT/g64-$dt.txt" | awk '{print $2, $3, $4, $5}'
done
