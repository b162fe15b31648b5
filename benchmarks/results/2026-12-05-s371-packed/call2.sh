#!/bin/bash
# Entry 371 (device), call 2: entry 371's prediction. Packed decode calls of two and three slices at ranks 16-64, timed
# as the launch pair, one add_lora call a slice and one packed launch (slices_probe.py; "none" where no kernel for
# packed calls takes the call), bf16, then gate + up and q + k + v in fp16.
# Usage (device): bash benchmarks/results/2026-12-05-s371-packed/call2.sh dist_xz_13
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
variants="the pair,a call a slice,packed launch"
timeout 330 python3 benchmarks/slices_probe.py "$OUT/packed-bf16.json" --variants="$variants" \
  --packs=gate_up,qkv,4096:11008+11008,8192:8192+8192,4096:1024+1024 --ranks=16,32,64 \
  --batches=1x1,16x4,16x16,64x8,64x64,256x16 > "$OUT/packed-bf16.txt" 2>&1
tail -1 "$OUT/packed-bf16.txt"
timeout 150 python3 benchmarks/slices_probe.py "$OUT/packed-fp16.json" --dtype=fp16 --variants="$variants" \
  --packs=gate_up,qkv --ranks=16,32,64 --batches=1x1,16x4,16x16,64x8,64x64,256x16 > "$OUT/packed-fp16.txt" 2>&1
tail -1 "$OUT/packed-fp16.txt"
