#!/usr/bin/env bash
# NOTES entry 239: the new GPU test of entries 235 and 237's picks (the 8-warp 32-row fused tile at 14336 -> 4096 and
# 18944 -> 3584), with the tests that share its helper, then the new test under compute-sanitizer memcheck, on a
# default wheel of head, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-tall-wide-h-in/call.sh DIR", carry=["DIR"])
set -o pipefail
rm -rf /tmp/tw && python3 -m pip install -q --no-deps --no-index --target /tmp/tw "${1:?wheel folder}"/*.whl || exit 1
export PYTHONPATH=/tmp/tw
cd tests || exit 1
python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "wide_h_in or wide_h_out or 17_31 or skewed_batches" \
  2>&1 | tail -15 | tee "$OUT/tests.txt"
timeout 300 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k wide_h_in 2>&1 | tail -8 | tee "$OUT/memcheck.txt"
