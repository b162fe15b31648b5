#!/bin/bash
# Entry 317 (device): add_lora at shapes no sweep holds (Qwen2-7B 3584 <-> 18944, Llama-13B 5120 -> 13824, TinyLlama
# 2048 -> 5632, Llama-70B 8192 <-> 28672), ranks 8-128, 10 batch layouts, bf16, one run: where does dispatch's pick
# sit against the target, looking for picks far off it. The installed wheel with this tree's Python.
# Usage (device): bash benchmarks/results/2026-12-04-odd-shapes/call.sh dist_315
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
timeout 400 python3 benchmarks/dispatch_sweep.py "$OUT/odd" bf16 GEMV=1 --ops=add_lora --ranks=8,16,32,64,128 \
  --shapes=3584x18944,18944x3584,5120x13824,2048x5632,8192x28672,28672x8192 \
  --batches=1x1,4x1,32x1,128x1,8x4,32x8,4x64,2x512,16x16,8x128 > "$OUT/odd.txt" 2>&1
tail -3 "$OUT/odd.txt"
cp "$OUT"/odd/GEMV=1/results.csv "$OUT/odd-results.csv"
