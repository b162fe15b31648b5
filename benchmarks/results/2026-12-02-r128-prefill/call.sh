#!/usr/bin/env bash
# NOTES entry 195: rank 128's prefill kernel (dist_p: the default build with it, 420 kernels) against the shipped
# default (dist_m). From the repository root:
#   run(command="bash benchmarks/results/2026-12-02-r128-prefill/call.sh", carry=["dist_m", "dist_p"])
# 1. the GPU tests of every test whose id names a rank-128 prefill kernel or rank 128 and prefill, on dist_p, in full
# 2. A B B A over the full sweep's rank-128 prefill cases, both dtypes (ab_quick_builds.sh)
set -uo pipefail
rm -rf /tmp/p128 && python3 -m pip install -q --no-deps --no-index --target /tmp/p128 dist_p/*.whl || exit 1
(cd tests && PYTHONPATH=/tmp/p128 timeout 240 python3 -m pytest -q -p no:cacheprovider -rf test_gpu_*.py \
   -k "r128 and prefill" > "$OUT/gpu-tests-r128.txt" 2>&1)
tail -3 "$OUT/gpu-tests-r128.txt"
bash benchmarks/ab_quick_builds.sh dist_m dist_p "$OUT" "" "r128_prefill" full
