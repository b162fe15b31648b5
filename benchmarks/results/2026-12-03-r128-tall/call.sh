#!/usr/bin/env bash
# NOTES entry 204: rank 128's fused kernel with 32-row tiles (codegen FUSED_TALL_RANKS + 128: w8m32n256u1, 255
# registers, a 246-byte spill). On the CPU machine, from the repository root: head's default wheel in dist_head, the
# wheel with the tall rank-128 kernels in dist_t128 (`pip wheel -q --no-deps -w dist_t128 .`; the other 420 kernels'
# SASS identical, sass_compare.sh). Then on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-r128-tall/call.sh", carry=["dist_head", "dist_t128"])
# 1. B's GPU tests of the new kernels and the random problems (ab/gpu-tests.txt), memcheck over the new kernels'
#    per-kernel tests
# 2. A/B (A B B A) over the full sweep's rank-128 identical bs256 cases, the only ones whose kernel changes
#    (dispatch_picks.py), and rank 128's identical bs64 and uniform bs256 (unchanged kernels: the runs' drift)
set -uo pipefail
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_head dist_t128 "$OUT/ab" "r128_hany_w8m32 or random_problems" \
  r128_identical_bs256,r128_identical_bs64,r128_uniform_bs256 full
rm -rf /tmp/t128 && python3 -m pip install -q --no-deps --no-index --target /tmp/t128 dist_t128/*.whl || exit 1
(cd tests && export PYTHONPATH=/tmp/t128
 timeout 120 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
   test_gpu_kernels.py -k "r128_hany_w8m32" > "$OUT/memcheck.txt" 2>&1
 echo "memcheck rc=$?: $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")")
