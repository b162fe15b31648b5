#!/bin/bash
# Entry 371 (device), call 3: the rule (slice_calls.PACKED_LAUNCH on, packed_kernel's lines) on the GPU. Tests: all of
# test_gpu_ops.py and test_lora_linear.py. Then packed calls as dispatched ("one call") against the launch pair, bf16,
# rows grouped in segments and in token order.
# Usage (device): bash benchmarks/results/2026-12-05-s371-packed/call3.sh dist_xz_13
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 240 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py test_lora_linear.py \
  > "$OUT/tests-rule.txt" 2>&1)
tail -1 "$OUT/tests-rule.txt"
timeout 150 python3 benchmarks/slices_probe.py "$OUT/rule-bf16.json" --variants="one call,the pair" \
  --packs=gate_up,qkv,4096:1024+1024,8192:8192+8192 --ranks=16,32,64 \
  --batches=1x1,16x4,16x16,64x8,64x64,256x16 > "$OUT/rule-bf16.txt" 2>&1
tail -1 "$OUT/rule-bf16.txt"
timeout 80 python3 benchmarks/slices_probe.py "$OUT/rule-tokens-bf16.json" --variants="one call,the pair" --order=tokens \
  --packs=gate_up,qkv --ranks=16,64 --batches=16x4,64x8,256x16 > "$OUT/rule-tokens-bf16.txt" 2>&1
tail -1 "$OUT/rule-tokens-bf16.txt"
