#!/bin/bash
# Entry 293's probe (device): probe.patch over the installed wheel's one_launch.py (GEMV_MAX_WAVES: waves of clusters
# a gemv launch may take), dispatch_sweep GEMV_MAX_WAVES=1,4 on 80-256 one-row r16 segments at 5 shapes whose threads
# expand in one round, medians of 2, both dtypes.
# Usage (device): bash benchmarks/results/2026-12-04-gemv-waves/call.sh dist_287
set -u
dir=benchmarks/results/2026-12-04-gemv-waves
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/one_launch.py && patch -s /tmp/one_launch.py < "$dir/probe.patch" || exit 1
cp /tmp/one_launch.py /tmp/rec/sgmv/one_launch.py
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/rec timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/w-$dt" $dt GEMV_MAX_WAVES=1,4 \
    --batches=80x1,100x1,128x1,192x1,256x1 --ranks=16 --repeat=2 --ops=add_lora \
    --shapes=4096x4096,2048x2048,14336x4096,8192x4096,18944x3584 > "$OUT/w-$dt.txt" 2>&1
  tail -26 "$OUT/w-$dt.txt" | awk '{print $2, $3, $4, $5}'
done
