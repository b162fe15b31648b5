# NOTES entry 135: the grid handoff with the batch's row tiles numbered flat (branch wip/flat-handoff; its default
# wheel dist_flat, built on the CPU machine with `pip wheel -q --no-deps -w dist_flat .`) against main's (dist_Z,
# entry 134): the new and the handoff's GPU tests on dist_flat, the quick sweep's add_lora cases A B B A (the fused
# kernels' other paths, whose SASS changed), then the full sweep's skewed cases A B B A, both dtypes. ~350 s:
#   run(command="bash benchmarks/results/2026-12-01-flat-handoff/call.sh", carry=["dist_Z", "dist_flat"])
bash benchmarks/ab_quick_builds.sh dist_Z dist_flat "$OUT" "grid_handoff"
mkdir -p "$OUT/skewed" && bash benchmarks/ab_quick_builds.sh dist_Z dist_flat "$OUT/skewed" "" "skewed" full
cp /tmp/abq/B1/results.csv "$OUT/skewed/B1-results.csv"; cp /tmp/abq/A1/results.csv "$OUT/skewed/A1-results.csv"
