#!/usr/bin/env bash
# NOTES entry 215 (measured, not kept): rank 64's 16-row 256-column fused tiles (w4m16n256, and its flat variant)
# with the shrink in rank halves (entry 209's split) and twice the unroll (u2 -> u4). On the CPU machine, from the
# repository root:
#   git apply benchmarks/results/2026-12-03-r64-w16-rank-halves/r64-16row-rank-halves-NOT-KEPT.patch
#   pip wheel -q --no-deps -C build-dir=build/k128 -w dist_w16h .   # B; A: head's default wheel in dist_fin3
#   git checkout codegen csrc tests
# then on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-r64-w16-rank-halves/call.sh", carry=["dist_fin3", "dist_w16h"])
# B's GPU tests of the changed kernels and the random problems, A B B A over the full sweep's rank-64 decode cases
# (dispatch_picks.py: 27 a dtype move to the changed kernels, the others are the runs' drift), memcheck over the
# changed kernels' tests, racecheck on two small launches of the bf16 kernel.
bash benchmarks/ab_fused_tile.sh dist_fin3 dist_w16h "$OUT" "r64_hany_w4m16n256" \
  "_r64_distinct_bs16,_r64_skewed_bs16,_r64_skewed_bs64,_r64_uniform,_r64_identical" \
  sgmv_fused_bf16_r64_hany_w4m16n256u4_v8
