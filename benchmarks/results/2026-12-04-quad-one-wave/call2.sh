#!/bin/bash
# Entry 324 (device): the one-wave rule for clusters of four (PREFILL_QUAD=0,1) on shapes and batches call1 did not
# time, medians of 2: bf16 ranks 32, 64 and 128 at 14336 -> 4096, 3584 -> 18944, 5120 -> 13824, 2048 and 8192 over 11
# batches (full tiles, segments of 300-555 rows, and part-filled tiles: 10 x 100, 12 x 80, 20 x 70); fp16 rank 64 at
# 4096 and 8192.
# Usage (device): bash benchmarks/results/2026-12-04-quad-one-wave/call2.sh dist_323
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
B=1x1024,1x1600,1x1792,3x555,5x333,6x300,12x128,30x64,10x100,12x80,20x70
timeout 300 python3 -u benchmarks/dispatch_sweep.py "$OUT/bf16" bf16 PREFILL_QUAD=0,1 --repeat=2 --ops=add_lora \
  --ranks=32,64,128 --shapes=14336x4096,3584x18944,5120x13824,2048x2048,8192x8192 --batches=$B > "$OUT/bf16.txt" 2>&1
grep "^add_lora" "$OUT/bf16.txt"
timeout 120 python3 -u benchmarks/dispatch_sweep.py "$OUT/fp16" fp16 PREFILL_QUAD=0,1 --repeat=2 --ops=add_lora \
  --ranks=64 --shapes=4096x4096,8192x8192 --batches=$B > "$OUT/fp16.txt" 2>&1
grep "^add_lora" "$OUT/fp16.txt"
