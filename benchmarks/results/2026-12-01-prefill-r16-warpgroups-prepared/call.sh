# NOTES entry 110 (prepared): F = wip/prefill-shrink-ss (entry 108), G = wip/prefill-r16-warpgroups (its 64-row tile
# with two consumer warpgroups at rank 16 too, so the expand runs as wgmma there). dist_F (335d102) and dist_G
# (dcb7aa9) were built when it was prepared (sass_compare: the 4 r16 64-row kernels renamed); if they are gone, on the
# CPU machine:
#   git checkout wip/prefill-shrink-ss && pip wheel -q --no-deps -w dist_F . &&
#   git checkout wip/prefill-r16-warpgroups && pip wheel -q --no-deps -w dist_G . && git checkout main
#   bash benchmarks/sass_compare.sh dist_F/*.whl dist_G/*.whl   # expect: the 4 r16 64-row kernels renamed (w19 -> w11)
# then run(command="bash benchmarks/results/2026-12-01-prefill-r16-warpgroups-prepared/call.sh",
# carry=["dist_F", "dist_G"]): G's prefill, true-ranks and random-problem GPU tests, then the full sweep's r16
# prefill cases F G G F (the quick sweep's four are among them).
set -u
bash benchmarks/ab_quick_builds.sh dist_F dist_G "$OUT" "prefill or random or ranks" "_r16_prefill" full
