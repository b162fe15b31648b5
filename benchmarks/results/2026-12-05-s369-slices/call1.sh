#!/bin/bash
# Entry 369 (device), call 1: the GPU tests of entry 368's last Python mends (dist_8's kernels, the tree's Python),
# then benchmarks/slices_probe.py (packed projections: where a multi-slice call's time goes).
# Usage (device): bash benchmarks/results/2026-12-05-s369-slices/call1.sh dist_xz_8
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 200 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_prefill_phases.py test_gpu_kernels.py \
  -k "test_gpu_prefill_phases or w11m64n128u1_v8_shrink or w11m64n128u1_v8_expand" > "$OUT/tests-halves.txt" 2>&1)
tail -1 "$OUT/tests-halves.txt"
timeout 330 python3 benchmarks/slices_probe.py "$OUT/slices-bf16.json" > "$OUT/slices-bf16.txt" 2>&1
tail -3 "$OUT/slices-bf16.txt"
