#!/bin/bash
# Entry 368 (device), the final tree on the GPU: dist_8's kernels (the final tree's: csrc, codegen and templates
# unchanged since its build) with the tree's Python, and a pytest selection over tests/ ("suite-rest": every file but
# the one-launch ones; or the arguments given).
# Usage (device): bash benchmarks/results/2026-12-05-s368-prefill-halves/call4.sh dist_xz_8 NAME [pytest args]
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
name=$2; shift 2
(cd tests && timeout 560 python3 -m pytest -q -rs -p no:cacheprovider --durations=20 "$@" > "$OUT/$name.txt" 2>&1)
tail -1 "$OUT/$name.txt"
