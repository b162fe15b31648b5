#!/bin/bash
# Entry 368 (device): the prefill tile's halves for the standalone ops. The wheel (dist_8: the default build with the
# 16 halves) with this tree's Python; the halves' GPU tests, the public ops' and the bench's; then mid_batches.py
# (bf16) over mid-size and prefill batches: add_lora today and as the pair, the ops with and without the halves.
# Usage (device): bash benchmarks/results/2026-12-05-s368-prefill-halves/call1.sh dist_xz_8
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 240 python3 -m pytest -q -p no:cacheprovider -x test_gpu_prefill_phases.py test_gpu_ops.py \
  test_bench.py 2>&1 | tail -15) | tee "$OUT/tests.txt"
timeout 420 python3 benchmarks/mid_batches.py "$OUT/mid-bf16.json" \
  --batches=1x512,8x64,64x64,4x256,1x960,8x1024,1x2048 > "$OUT/mid-bf16.txt" 2>&1
tail -3 "$OUT/mid-bf16.txt"
