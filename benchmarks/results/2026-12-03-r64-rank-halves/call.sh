#!/usr/bin/env bash
# NOTES entry 210 (prepared; run as entry 212 by call2.sh, and kept): rank 64's 8-warp 32-row fused tiles with
# entry 209's shrink in rank halves and the unroll of half the rank (u2 -> u4). On the CPU machine, from the
# repository root:
#   git apply benchmarks/results/2026-12-03-r64-rank-halves/r64-rank-halves.patch
#   pip wheel -q --no-deps -C build-dir=build/k128 -w dist_r64h .   # B; A: head's default wheel in dist_head
#   git checkout codegen tests
# then on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-r64-rank-halves/call.sh", carry=["dist_head", "dist_r64h"])
# 1. B's GPU tests of the four changed kernels and the random problems (ab/gpu-tests.txt); memcheck over the changed
#    kernels' tests; racecheck on two small launches of the bf16 512-column kernel
# 2. A/B (A B B A) over the full sweep's rank-64 identical cases (bs256 are the ones whose kernel changes,
#    dispatch_picks.py; bs16/bs64 unchanged: the runs' drift)
bash benchmarks/ab_fused_tile.sh dist_head dist_r64h "$OUT" "r64_hany_w8m32" r64_identical \
  sgmv_fused_bf16_r64_hany_w8m32n512u4_v8
