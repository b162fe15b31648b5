#!/bin/bash
# Entry 327 (device): the rest of the GPU suite on the wheel with this tree's Python (test_gpu_kernels.py,
# test_gpu_ops.py, test_picks_of_gpu_tests.py), then the sweeps' prefill cases (every 64-row kernel's SASS changed
# by the third swap round's barrier), bf16, no baselines, against the s307 record.
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/call4.sh dist_327
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
(cd tests && timeout 330 python3 -u -m pytest -q -p no:cacheprovider test_gpu_kernels.py test_gpu_ops.py \
  test_picks_of_gpu_tests.py > "$OUT/gpu-rest.txt" 2>&1; echo "rest rc=$? $(tail -1 "$OUT/gpu-rest.txt")")
cd /tmp && timeout 150 python3 -m sgmv bench --dtype bf16 --op add_lora --no-baselines --no-pairs \
  --cases prefill --out "$OUT/prefill" > "$OUT/prefill.txt" 2>&1; echo "bench rc=$?"; grep prefill "$OUT/prefill.txt" | head -50
