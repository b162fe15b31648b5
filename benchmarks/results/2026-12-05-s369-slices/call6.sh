#!/bin/bash
# Entry 369 (device), call 6: the final tree's Python on the GPU (dist_8's kernels, SASS the final build's): all of
# test_gpu_ops.py (the packed calls' test with rank 128's two-slice decode among them) and test_gpu_prefill_phases.py.
# Usage (device): bash benchmarks/results/2026-12-05-s369-slices/call6.sh dist_xz_8
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 280 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py test_gpu_prefill_phases.py \
  > "$OUT/tests-final.txt" 2>&1)
tail -1 "$OUT/tests-final.txt"
