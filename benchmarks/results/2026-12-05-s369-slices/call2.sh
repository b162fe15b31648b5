#!/bin/bash
# Entry 369 (device), call 2: add_lora of packed projections in one call (the launch pair) against one call a slice,
# over more shapes, ranks and tall batches (dist_8's kernels, the tree's Python).
# Usage (device): bash benchmarks/results/2026-12-05-s369-slices/call2.sh dist_xz_8
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
timeout 540 python3 benchmarks/slices_probe.py "$OUT/calls-bf16.json" --variants="one call,a call a slice" \
  --packs=qkv,8192:8192+1024+1024,4096:4096+4096+4096,2048:2048+256+256,gate_up,4096:11008+11008,5120:13824+13824 \
  --ranks=16,64,128 --batches=512x8,1024x16,2048x32,4096x64,8192x8 > "$OUT/calls-bf16.txt" 2>&1
tail -2 "$OUT/calls-bf16.txt"
