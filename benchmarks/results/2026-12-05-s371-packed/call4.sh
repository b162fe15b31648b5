#!/bin/bash
# Entry 371 (device), calls 4 and 5: the whole GPU suite on the final tree (dist_13's kernels, the tree's Python):
# part "one-launch" is test_gpu_one_launch.py, part "rest" every other GPU test file.
# Usage (device): bash benchmarks/results/2026-12-05-s371-packed/call4.sh dist_xz_13 one-launch|rest
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
cd tests
if [ "$2" = one-launch ]; then
  files="test_gpu_one_launch.py"
else
  files=". --ignore=test_gpu_one_launch.py"
fi
timeout 540 python3 -m pytest -q -rs -p no:cacheprovider $files > "$OUT/suite-$2.txt" 2>&1
echo "rc=$? $(tail -1 "$OUT/suite-$2.txt")"
