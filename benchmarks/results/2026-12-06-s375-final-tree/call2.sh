#!/bin/bash
# Entry 375 (device), call 2: the rest of the GPU suite on the final tree's wheel, then entry 374's call 8 (host time
# on the GPU, the token-order packed calls as dispatched) with the tree's Python over the same wheel.
# Usage (device): bash benchmarks/results/2026-12-06-s375-final-tree/call2.sh dist_xz_17 dist_17
set -u
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
bash benchmarks/run_of_record.sh "$2" suite-rest
echo "gpu-suite-rest: $(tail -n 1 "$OUT/gpu-suite-rest.txt")"
source benchmarks/device_setup.sh "$1" || exit 1
timeout 60 python3 benchmarks/host_time.py --gpu > "$OUT/host-time-gpu.txt" 2>&1; cat "$OUT/host-time-gpu.txt"
timeout 120 python3 benchmarks/slices_probe.py "$OUT/tokens-bf16.json" --variants="one call,the pair" --order=tokens \
  --packs=gate_up,qkv,4096:1024+1024,8192:8192+8192 --ranks=16,32,64 --batches=64x8,128x8,256x16 \
  > "$OUT/tokens-bf16.txt" 2>&1
tail -n 1 "$OUT/tokens-bf16.txt"
