#!/usr/bin/env bash
# NOTES entry 212: entry 210's call (B: rank halves at u4, dist_r64h) plus C: rank halves keeping u2 (dist_r64u2,
# built with the patch and `tall_unroll = 2 if rank == 64 else ...` in codegen/spec.py's fused_tiles, not kept in
# the tree). A: head's default wheel (dist_head). From the repository root on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-r64-rank-halves/call2.sh",
#       carry=["dist_head", "dist_r64h", "dist_r64u2"])
bash benchmarks/results/2026-12-03-r64-rank-halves/call.sh
mkdir -p "$OUT/abC"
bash benchmarks/ab_quick_builds.sh dist_head dist_r64u2 "$OUT/abC" "r64_hany_w8m32 or random_problems" r64_identical \
  full
