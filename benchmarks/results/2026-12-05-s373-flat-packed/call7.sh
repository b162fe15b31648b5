#!/bin/bash
# Entry 373 (device), call 7: PACKED_FLAT on by default (the tree's Python). Tests: all of test_gpu_ops.py and
# test_lora_linear.py (the "many" packed layout among them). Then packed calls with rows in token order as dispatched
# ("one call") against the launch pair, bf16, over entry 371's call 2 set from 64 rows (4 packs, ranks 16-64).
# Usage (device): bash benchmarks/results/2026-12-05-s373-flat-packed/call7.sh dist_xz_15
set -u
source benchmarks/device_setup.sh "$1" || exit 1
(cd tests && timeout 120 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py test_lora_linear.py \
  > "$OUT/tests-ops.txt" 2>&1; tail -n 1 "$OUT/tests-ops.txt")
timeout 120 python3 benchmarks/slices_probe.py "$OUT/tokens-bf16.json" --variants="one call,the pair" --order=tokens \
  --packs=gate_up,qkv,4096:1024+1024,8192:8192+8192 --ranks=16,32,64 --batches=64x8,128x8,256x16 \
  > "$OUT/tokens-bf16.txt" 2>&1
tail -n 1 "$OUT/tokens-bf16.txt"
