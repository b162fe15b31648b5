# NOTES entry 135, second form: run_grid<kFlat> (the flat scan in a copy of its own; dist_flat2, built with
# `pip wheel -q --no-deps -w dist_flat2 .`) against main's dist_Z: the handoff's GPU tests on dist_flat2, then the
# quick sweep's add_lora cases A B B A, both dtypes. ~150 s:
#   run(command="bash benchmarks/results/2026-12-01-flat-handoff/call2.sh", carry=["dist_Z", "dist_flat2"])
bash benchmarks/ab_quick_builds.sh dist_Z dist_flat2 "$OUT" "grid_handoff"
