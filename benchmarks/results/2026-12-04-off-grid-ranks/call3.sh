#!/bin/bash
# Entries 324-325, last call (device): test_gpu_one_launch.py and test_gpu_ops.py on the final tree's Python over
# dist_323's kernels (the kernels are unchanged this session).
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-ranks/call3.sh dist_323
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
cd tests
timeout 230 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py > "$OUT/one_launch.txt" 2>&1
echo "one_launch rc=$? $(tail -1 "$OUT/one_launch.txt")"
timeout 140 python3 -u -m pytest -q -p no:cacheprovider test_gpu_ops.py > "$OUT/ops.txt" 2>&1
echo "ops rc=$? $(tail -1 "$OUT/ops.txt")"
