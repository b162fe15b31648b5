#!/bin/bash
# Entry 369 (device), call 5: packed decode batches at ranks 32-128 (two slices and three), add_lora as dispatched
# (slice_calls with PAIR_LAUNCHES), the pair and a call a slice; then test_gpu_ops.py's packed-call tests.
# Usage (device): bash benchmarks/results/2026-12-05-s369-slices/call5.sh dist_xz_8
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 120 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py -k "packed_calls or slices" \
  > "$OUT/tests-ops.txt" 2>&1)
tail -1 "$OUT/tests-ops.txt"
timeout 150 python3 benchmarks/slices_probe.py "$OUT/decode-bf16.json" --variants="one call,the pair,a call a slice" \
  --packs=gate_up,4096:11008+11008,4096:4096+4096,4096:1024+1024,qkv \
  --ranks=64,128 --batches=1x1,16x4,16x16,64x8,256x16,256x256 > "$OUT/decode-bf16.txt" 2>&1
tail -1 "$OUT/decode-bf16.txt"
