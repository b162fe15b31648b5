#!/bin/bash
# Entry 295, first call (device): entry 294's rule at ranks 32 and 64 (dispatch_sweep
# PREFILL_ONE_ROW_UNPAIRED_MIN_SM_PERCENT=90,75 on the wheel $1, bf16, 100 and 118 one-row segments and 110 of two
# rows, 4 shapes, medians of 2), then the run of record's suite-one-launch and quick steps on the same wheel.
# Usage (device): bash benchmarks/results/2026-12-04-s294-record/call1.sh dist_294
set -u
rm -rf /tmp/probe && python3 -m pip install -q --no-deps --no-index --target /tmp/probe "$1"/*.whl || exit 1
PYTHONPATH=/tmp/probe timeout 90 python3 benchmarks/dispatch_sweep.py "$OUT/gap-r32-r64" bf16 \
  PREFILL_ONE_ROW_UNPAIRED_MIN_SM_PERCENT=90,75 --batches=100x1,118x1,110x2 --ranks=32,64 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,14336x4096,4096x14336 > "$OUT/gap-r32-r64.txt" 2>&1
tail -25 "$OUT/gap-r32-r64.txt" | awk '{print $2, $3, $4, $5}'
bash benchmarks/run_of_record.sh "$1" suite-one-launch quick
