#!/bin/bash
# Entry 288: with entry 285's faster gemv kernel, is GEMV_SMALL_BLOCK_BYTES (80 KB) still the line? dispatch_sweep
# GEMV_SMALL_BLOCK_BYTES=81920 (today) against 10^9 (the 45% fill rule for blocks of any size), one-row r16 batches of 8,
# 24, 32 and 36 segments at the sweeps' four shapes, bf16, medians of 2, on dist_287 (the record's wheel).
# Usage (device): bash benchmarks/results/2026-12-04-gemv-big-blocks/call.sh dist_287
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
PYTHONPATH=/tmp/rec timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/big" bf16 \
  GEMV_SMALL_BLOCK_BYTES=81920,1000000000 --batches=8x1,24x1,32x1,36x1 --ranks=16 --repeat=2 \
  --ops=add_lora > "$OUT/big-bf16.txt" 2>&1
tail -32 "$OUT/big-bf16.txt"
