# NOTES entry 133: the grid handoff's partial tiles stored swizzled (branch wip/swizzled-partials; its default wheel
# dist_X, built on the CPU machine with `pip wheel -q --no-deps -w dist_X .`) against main's (dist_W, entry 129): the
# fused kernels' GPU tests on dist_X, then the quick sweep's add_lora cases A B B A, both dtypes. ~300 s:
#   run(command="bash benchmarks/results/2026-12-01-swizzled-partials/call.sh", carry=["dist_W", "dist_X"])
bash benchmarks/ab_quick_builds.sh dist_W dist_X "$OUT" "fused or handoff or graph or chain or rank_halves"
