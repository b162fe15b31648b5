#!/bin/bash
# Entry 329 (device): entry 317's shapes no sweep holds again (3584 <-> 18944, 5120 -> 13824, 2048 -> 5632,
# 8192 <-> 28672; ranks 8-128; entry 317's 10 batch layouts and two of up to 15 row tiles of 64: 1 x 960, 3 x 300),
# bf16, one run, every case checked before it is timed: where dispatch's picks sit against the target after entries
# 319-327. The wheel with this tree's Python.
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/call5.sh dist_327b
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
timeout 400 python3 benchmarks/dispatch_sweep.py "$OUT/odd" bf16 GEMV=1 --ops=add_lora --ranks=8,16,32,64,128 \
  --shapes=3584x18944,18944x3584,5120x13824,2048x5632,8192x28672,28672x8192 \
  --batches=1x1,4x1,32x1,128x1,8x4,32x8,4x64,2x512,16x16,8x128,1x960,3x300 > "$OUT/odd.txt" 2>&1
tail -3 "$OUT/odd.txt"
