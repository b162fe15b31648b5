#!/bin/bash
# Entry 371 (device), call 1: the kernels for packed calls on the GPU, then entry 371's prediction. Tests: all of
# test_gpu_ops.py (the packed launches: each kernel forced, and dispatch with PACKED_LAUNCH on; the tree's Python since
# the last GPU run) and test_gpu_one_launch.py's forced one-slice cases on the packed kernels (one pair). Then packed
# decode calls of two and three slices at ranks 16-64 timed as the launch pair, one add_lora call a slice and one
# packed launch (slices_probe.py; "none" where no kernel for packed calls takes the call), bf16.
# Usage (device): bash benchmarks/results/2026-12-05-s371-packed/call1.sh dist_xz_13
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 300 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py test_gpu_one_launch.py \
  -k "test_gpu_ops or _pk" > "$OUT/tests-packed.txt" 2>&1)
tail -1 "$OUT/tests-packed.txt"
timeout 250 python3 benchmarks/slices_probe.py "$OUT/packed-bf16.json" \
  --variants="the pair,a call a slice,packed launch" \
  --packs=gate_up,qkv,4096:11008+11008,8192:8192+8192,4096:1024+1024 --ranks=16,32,64 \
  --batches=1x1,16x4,16x16,64x8,64x64,256x16 > "$OUT/packed-bf16.txt" 2>&1
tail -1 "$OUT/packed-bf16.txt"
