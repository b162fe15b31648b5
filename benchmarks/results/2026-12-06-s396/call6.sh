#!/bin/bash
# Entry 396 (device), call 6: the GPU tests through dispatch with the split cap: dist_C2's wheel with this tree's
# dispatch.py over its own, then test_gpu_one_launch.py's new test (one adapter over 2-12 rows: the capped grid, y
# against the float64 reference) and test_gpu_ops.py (the public ops, random problems). Files: gpu-name.txt,
# gpu-tests.txt.
# Usage (device): bash benchmarks/results/2026-12-06-s396/call6.sh   (carry dist_xz_C2)
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_C2 ] || python3 benchmarks/wheel_xz.py unpack dist_xz_C2 dist_C2 > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_C2/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
cd tests && PYTHONPATH=/tmp/site timeout 230 python3 -m pytest -q -rs -p no:cacheprovider \
  test_gpu_one_launch.py::test_one_adapter_over_a_few_rows_takes_at_most_64_splits test_gpu_ops.py \
  > "$OUT/gpu-tests.txt" 2>&1
tail -1 "$OUT/gpu-tests.txt"
