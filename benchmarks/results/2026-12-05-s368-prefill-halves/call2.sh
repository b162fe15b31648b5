#!/bin/bash
# Entry 368 (device), second call: the rule (prefill_phases.takes_half) on the GPU. The wheel (dist_8) with this
# tree's Python: the halves' GPU tests and the public ops' again, memcheck over the rank-128 and rank-16 halves'
# tests, then mid_batches.py with the rule (bf16 at 4 shapes and ranks 16, 64, 128; fp16 at two shapes).
# Usage (device): bash benchmarks/results/2026-12-05-s368-prefill-halves/call2.sh dist_xz_8
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 150 python3 -m pytest -q -p no:cacheprovider test_gpu_prefill_phases.py test_prefill_phases.py \
  test_gpu_ops.py -k "not everything_together" 2>&1 | tail -3) | tee "$OUT/tests.txt"
(cd tests && timeout 150 compute-sanitizer --tool memcheck --print-limit 20 python3 -m pytest -q -p no:cacheprovider \
  test_gpu_prefill_phases.py -k "(r128 or r16) and bf16 and (long or walk)" 2>&1 | tail -4) | tee "$OUT/memcheck.txt"
timeout 300 python3 benchmarks/mid_batches.py "$OUT/mid-bf16.json" \
  --batches=1x512,64x64,1x960,8x1024,1x2048 > "$OUT/mid-bf16.txt" 2>&1
tail -1 "$OUT/mid-bf16.txt"
timeout 120 python3 benchmarks/mid_batches.py "$OUT/mid-fp16.json" --dtype=fp16 --shapes=4096x4096,3584x18944 \
  --ranks=16,64,128 --batches=64x64,1x960,1x2048 > "$OUT/mid-fp16.txt" 2>&1
tail -1 "$OUT/mid-fp16.txt"
