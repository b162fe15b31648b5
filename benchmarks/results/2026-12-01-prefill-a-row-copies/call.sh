# NOTES entry 119 (prepared): A = main's kernels (dist_rec6, the wheel of 62db919; no kernel has changed since),
# B = branch wip/prefill-a-row-copies (dist_L, built from 4b1cfe4): the 16-row prefill tile copies A a row a warp
# instruction (512 contiguous bytes of global memory), as before entry 115; x, y and B as today. Both wheels were
# built on the CPU machine when this was prepared (git-ignored); if they are gone:
#   git worktree add --detach /tmp/wtA 62db919 && (cd /tmp/wtA && pip wheel -q --no-deps -w /work/main/dist_rec6 .)
#   git worktree add --detach /tmp/wtB wip/prefill-a-row-copies &&
#     (cd /tmp/wtB && pip wheel -q --no-deps -w /work/main/dist_L .)
# (or: git apply a-row-copies.patch on main). Then
# run(command="bash benchmarks/results/2026-12-01-prefill-a-row-copies/call.sh",
#     carry=["dist_rec6", "dist_L"]):
# B's prefill and random-problem GPU tests (with the tests of d5aa724: test_prefill_shapes through
# gpu_checks.check_prefill_launch, not yet run on the GPU), then the full sweep's distinct bs64 and bs256 batches
# (the 16-row tile at ranks 16-64, and r128 as two r64 launches) and its r16 prefill cases (the 64-row tile, SASS
# unchanged: controls) A B B A; then run_of_record.sh's sanitize step on B (memcheck, racecheck on small launches).
# ~420 s in all (entry 117's call took 359 s with a sanitize step that stopped at 200 s).
set -u
bash benchmarks/ab_quick_builds.sh dist_rec6 dist_L "$OUT" "prefill or random" \
  "distinct_bs64,distinct_bs256,r16_prefill" full
timeout 220 bash benchmarks/run_of_record.sh dist_L sanitize
