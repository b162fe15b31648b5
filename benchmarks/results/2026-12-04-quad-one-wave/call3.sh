#!/bin/bash
# Entry 324 (device): the GPU tests the rule touches, on the wheel with this tree's Python: test_gpu_one_launch.py
# (its picks now under the driver's counts everywhere), test_gpu_prefill.py (clusters of four at ranks 32-128),
# test_gpu_ops.py and test_picks_of_gpu_tests.py.
# Usage (device): bash benchmarks/results/2026-12-04-quad-one-wave/call3.sh dist_323
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
cd tests
for f in test_gpu_one_launch.py test_gpu_prefill.py test_gpu_ops.py test_picks_of_gpu_tests.py; do
  timeout 200 python3 -u -m pytest -q -p no:cacheprovider "$f" > "$OUT/$f.txt" 2>&1
  echo "$f rc=$? $(tail -1 "$OUT/$f.txt")"
done
