#!/bin/bash
# Entry 300's probe (device): where the 16-row tile's clusters of 2 take one-row batches of 30-59 segments (60-118
# blocks, 45-89% of the SMs; today from PREFILL_MIN_SM_PERCENT = 90%: rank 8 runs the launch pair there, ranks 32-64
# the fused kernel's grid handoff, rank 16 the gemv kernel), dispatch_sweep PREFILL_MIN_SM_PERCENT=90,60,45 (one-row
# batches: only the 16-row tile's line moves) at ranks 8, 32 and 64, 5 shapes, bf16, medians of 2, on the installed
# wheel. Usage (device): bash benchmarks/results/2026-12-04-one-row-paired-line/call.sh dist_299
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
PYTHONPATH=/tmp/rec timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/paired-line" bf16 \
  PREFILL_MIN_SM_PERCENT=90,60,45 --batches=30x1,40x1,48x1,59x1 --ranks=8,32,64 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,18944x3584 > "$OUT/paired-line.txt" 2>&1
tail -61 "$OUT/paired-line.txt" | awk '{print $2, $3, $4, $5, $6}'
