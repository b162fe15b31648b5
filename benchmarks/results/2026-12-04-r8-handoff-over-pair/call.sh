#!/bin/bash
# Entry 302's probe (device): rank 8's launch pair on 10-42 segments of 1-8 rows (the only batches of the pick map
# over 1-300 segments, ranks 8-128, 7 shapes, that still run the pair) against the fused kernel's grid handoff,
# dispatch_sweep HANDOFF_OVER_PAIR_MIN_RANK=16,8 at rank 8, 6 shapes, bf16, medians of 2, on the installed wheel.
# Usage (device): bash benchmarks/results/2026-12-04-r8-handoff-over-pair/call.sh dist_300
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
PYTHONPATH=/tmp/rec timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/r8" bf16 HANDOFF_OVER_PAIR_MIN_RANK=16,8 \
  --batches=12x1,20x1,28x1,36x1,42x1,24x4 --ranks=8 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,18944x3584,5120x13824 > "$OUT/r8.txt" 2>&1
tail -37 "$OUT/r8.txt" | awk '{print $2, $3, $4, $5}'
