#!/bin/bash
# Entry 310 (device): rank 8's gemv fallback in up to 1, 2 or 3 waves of 4-warp clusters (one_launch
# GEMV_FALLBACK_MAX_WAVES; 1 is today) over 140-396 one-row segments, 5 shapes, bf16, medians of 2: the wheel's
# kernels with the tree's one_launch.py (the constant is the tree's only change).
# Usage (device): bash benchmarks/results/2026-12-04-gemv-fallback-waves/call.sh dist_307
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/rec/sgmv/one_launch.py
export PYTHONPATH=/tmp/rec
timeout 300 python3 benchmarks/dispatch_sweep.py "$OUT/sw" bf16 GEMV_FALLBACK_MAX_WAVES=1,2,3 \
  --batches=140x1,180x1,256x1,300x1,396x1 --ranks=8 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,14336x4096,18944x3584,2048x2048 > "$OUT/sweep.txt" 2>&1
tail -27 "$OUT/sweep.txt" | grep -v "^\[" | cut -c1-120
