#!/bin/bash
# Entry 308 (device): rank 8 under HANDOFF_OVER_PAIR_MIN_RANK=16,8 (16: today) on the full sweep's rank-8 add_lora
# cases and on batches of its own (one-row segments the gemv kernel declines at wide h_out, a few rows a segment),
# bf16, medians of 2, on the installed wheel.
# Usage (device): bash benchmarks/results/2026-12-04-r8-handoff-full/call.sh dist_307
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/full" bf16 HANDOFF_OVER_PAIR_MIN_RANK=16,8 --full --cases=_r8_ \
  --repeat=2 --ops=add_lora > "$OUT/full.txt" 2>&1
tail -62 "$OUT/full.txt" | grep -v "^\[" | cut -c1-120
timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/own" bf16 HANDOFF_OVER_PAIR_MIN_RANK=16,8 \
  --batches=64x1,100x1,132x1,20x3,24x4,40x2,48x5 --ranks=8 --repeat=2 --ops=add_lora \
  --shapes=4096x14336,5120x13824,8192x8192,14336x4096,3584x18944 > "$OUT/own.txt" 2>&1
tail -37 "$OUT/own.txt" | grep -v "^\[" | cut -c1-120
