#!/bin/bash
# Entry 374 (device), call 8: the packed host path's change (for_add_lora's y_col) on the GPU. Tests: all of
# test_gpu_ops.py and test_lora_linear.py (packed calls, slices at offsets of y, one-slice calls), then host_time.py
# --gpu (one-slice calls, issue and done microseconds), then entry 373's token-order packed calls as dispatched.
# Usage (device): bash benchmarks/results/2026-12-06-s374-host-time/call8.sh dist_xz_15
set -u
source benchmarks/device_setup.sh "$1" || exit 1
(cd tests && timeout 120 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py test_lora_linear.py \
  > "$OUT/tests-ops.txt" 2>&1; tail -n 1 "$OUT/tests-ops.txt")
timeout 60 python3 benchmarks/host_time.py --gpu > "$OUT/host-time-gpu.txt" 2>&1; cat "$OUT/host-time-gpu.txt"
# The packed rule's token-order calls as dispatched, on whichever card came (entry 373 ran them on an H100 only)
timeout 120 python3 benchmarks/slices_probe.py "$OUT/tokens-bf16.json" --variants="one call,the pair" --order=tokens \
  --packs=gate_up,qkv,4096:1024+1024,8192:8192+8192 --ranks=16,32,64 --batches=64x8,128x8,256x16 \
  > "$OUT/tokens-bf16.txt" 2>&1
tail -n 1 "$OUT/tokens-bf16.txt"
