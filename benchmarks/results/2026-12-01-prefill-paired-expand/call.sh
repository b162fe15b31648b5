# NOTES entry 117 (prepared): A = main's kernels (dist_rec6, the wheel of 62db919, entry 116's records; later commits
# change no kernel), B = branch wip/prefill-paired-expand (dist_K, built from e448d7e; b4185cb after it moves code
# only, same SASS): the 16-row prefill tile's mma.sync expand takes two stages at once. Both wheels were built on
# the CPU machine when this was prepared; if they are gone:
#   git worktree add --detach /tmp/wtA 62db919 && (cd /tmp/wtA && pip wheel -q --no-deps -w /work/main/dist_rec6 .)
#   git worktree add --detach /tmp/wtB wip/prefill-paired-expand &&
#     (cd /tmp/wtB && pip wheel -q --no-deps -w /work/main/dist_K .)
# (or: git apply paired-expand.patch on main). Then
# run(command="bash benchmarks/results/2026-12-01-prefill-paired-expand/call.sh",
#     carry=["dist_rec6", "dist_K"]):
# B's prefill and random-problem GPU tests, then the full sweep's distinct bs64 and bs256 batches (the 16-row tile
# at ranks 16-64; r8 and r128 run other kernels, unchanged) and its r16 prefill cases (the 64-row tile, SASS
# unchanged: controls) A B B A; then memcheck and racecheck over B's prefill kernels (run_of_record.sh's sanitize
# step), cut at 200 s. ~450 s in all.
set -u
bash benchmarks/ab_quick_builds.sh dist_rec6 dist_K "$OUT" "prefill or random" \
  "distinct_bs64,distinct_bs256,r16_prefill" full
timeout 200 bash benchmarks/run_of_record.sh dist_K sanitize
