#!/usr/bin/env bash
# Session 245's first call: entry 243's call.sh on the 4-warp wheel, then the two tests mended after entry 242's suite
# run (test_bench, and the gemv dispatch test at 8-64 one-row segments) on head's default wheel:
#   run(command="bash benchmarks/results/2026-12-03-gemv-half/call_head.sh dist_g4w dist_headnew",
#       carry=["dist_g4w", "dist_headnew"])
set -o pipefail
bash benchmarks/results/2026-12-03-gemv-half/call.sh "${1:?4-warp wheel folder}"
rm -rf /tmp/gh && python3 -m pip install -q --no-deps --no-index --target /tmp/gh "${2:?head wheel folder}"/*.whl || exit 1
(cd tests && PYTHONPATH=/tmp/gh timeout 200 python3 -m pytest -q -p no:cacheprovider test_bench.py \
   "test_gpu_one_launch.py::test_one_row_segments_take_the_gemv_kernel_within_its_limits" 2>&1 | tail -4 \
   | tee "$OUT/head-mended-tests.txt")
