#!/usr/bin/env bash
# NOTES entry 210 (prepared, not run): rank 64's 8-warp 32-row fused tiles with entry 209's shrink in rank halves and
# the unroll of half the rank (u2 -> u4). On the CPU machine, from the repository root:
#   git apply benchmarks/results/2026-12-03-r64-rank-halves/r64-rank-halves-NOT-RUN.patch
#   pip wheel -q --no-deps -C build-dir=build/k128 -w dist_r64h .   # B; A: head's default wheel in dist_head
#   git checkout csrc codegen
# then on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-r64-rank-halves/call.sh", carry=["dist_head", "dist_r64h"])
# 1. B's GPU tests of the four changed kernels and the random problems (ab/gpu-tests.txt); memcheck over the changed
#    kernels' tests; racecheck on two small launches of the bf16 512-column kernel
# 2. A/B (A B B A) over the full sweep's rank-64 identical cases (bs256 are the ones whose kernel changes,
#    dispatch_picks.py; bs16/bs64 unchanged: the runs' drift)
set -uo pipefail
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_head dist_r64h "$OUT/ab" "r64_hany_w8m32 or random_problems" \
  r64_identical full
rm -rf /tmp/r64h && python3 -m pip install -q --no-deps --no-index --target /tmp/r64h dist_r64h/*.whl || exit 1
(cd tests && export PYTHONPATH=/tmp/r64h
 timeout 150 compute-sanitizer --tool memcheck --report-api-errors no --kernel-name kns=sgmv_fused python3 -m pytest \
   -q -p no:cacheprovider test_gpu_kernels.py test_gpu_one_launch.py -k "r64_hany_w8m32" > "$OUT/memcheck.txt" 2>&1
 echo "memcheck rc=$?: $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")"
 k=sgmv_fused_bf16_r64_hany_w8m32n512u4_v8
 for t in "test_gpu_one_launch.py::test_fused_handoff_blocks_of_two_column_tiles[$k]" \
          "test_gpu_one_launch.py::test_fused_kernel_with_the_grid_handoff[$k-8x24-mixed]"; do
   out=$(timeout 90 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused python3 -m pytest -q \
         -p no:cacheprovider "$t" 2>&1)
   echo "racecheck rc=$? $t: $(grep -E 'passed|failed|RACECHECK SUMMARY|Error' <<<"$out" | tr '\n' ' ')"
 done) | tee "$OUT/sanitizers.txt"
