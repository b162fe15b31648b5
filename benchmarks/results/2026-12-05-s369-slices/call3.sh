#!/bin/bash
# Entry 369 (device), call 3: slice_calls on the GPU (dist_8's kernels, the tree's Python): the packed-call and slices
# tests of test_gpu_ops.py, then add_lora of packed projections as dispatch now runs it against the launch pair and
# one call a slice (decode batches too, where the rule keeps the pair).
# Usage (device): bash benchmarks/results/2026-12-05-s369-slices/call3.sh dist_xz_8 [pytest -k expression]
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 240 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py -k "${2:-packed_calls or slices}" \
  > "$OUT/tests-ops.txt" 2>&1)
tail -1 "$OUT/tests-ops.txt"
timeout 300 python3 benchmarks/slices_probe.py "$OUT/rule-bf16.json" --variants="one call,the pair,a call a slice" \
  --packs=qkv,8192:8192+1024+1024,4096:4096+4096+4096,2048:2048+256+256,gate_up,4096:11008+11008,5120:13824+13824 \
  --ranks=16,32,64,128 --batches=64x8,256x16,512x8,1024x16,2048x32,4096x64,8192x8 > "$OUT/rule-bf16.txt" 2>&1
tail -2 "$OUT/rule-bf16.txt"
