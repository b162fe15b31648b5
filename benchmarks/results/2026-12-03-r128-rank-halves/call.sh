#!/usr/bin/env bash
# NOTES entry 209: rank 128's 32-row fused tile of 4 warps x 128 columns, its shrink in rank halves (two blocks
# an SM). On the CPU machine, from the repository root: head's default wheel in dist_head, the wheel with the new
# kernels in dist_h128 (`pip wheel -q --no-deps -C build-dir=build/k128 -w dist_h128 .`; the other 420 kernels' SASS
# identical, sass_compare.sh). Then on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-r128-rank-halves/call.sh", carry=["dist_head", "dist_h128"])
# 1. B's GPU tests of the new kernels and the random problems (ab/gpu-tests.txt); memcheck over the new kernels'
#    tests; racecheck (the halves' partial tiles) on two small launches of the bf16 kernel
# 2. A/B (A B B A) over the full sweep's rank-128 identical bs256 cases (the only ones whose kernel changes,
#    dispatch_picks.py) and identical bs64 / uniform bs256 (unchanged kernels: the runs' drift)
set -uo pipefail
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_head dist_h128 "$OUT/ab" "r128_hany_w4m32n128u2 or random_problems" \
  r128_identical_bs256,r128_identical_bs64,r128_uniform_bs256 full
rm -rf /tmp/h128 && python3 -m pip install -q --no-deps --no-index --target /tmp/h128 dist_h128/*.whl || exit 1
(cd tests && export PYTHONPATH=/tmp/h128
 timeout 150 compute-sanitizer --tool memcheck --report-api-errors no --kernel-name kns=sgmv_fused python3 -m pytest \
   -q -p no:cacheprovider test_gpu_kernels.py test_gpu_one_launch.py -k "r128_hany_w4m32n128u2" > "$OUT/memcheck.txt" 2>&1
 echo "memcheck rc=$?: $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")"
 k=sgmv_fused_bf16_r128_hany_w4m32n128u2_v8
 for t in "test_gpu_one_launch.py::test_fused_handoff_blocks_of_two_column_tiles[$k]" \
          "test_gpu_one_launch.py::test_fused_kernel_with_the_grid_handoff[$k-8x24-mixed]"; do
   out=$(timeout 90 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused python3 -m pytest -q \
         -p no:cacheprovider "$t" 2>&1)
   echo "racecheck rc=$? $t: $(grep -E 'passed|failed|RACECHECK SUMMARY|Error' <<<"$out" | tr '\n' ' ')"
 done) | tee "$OUT/sanitizers.txt"
