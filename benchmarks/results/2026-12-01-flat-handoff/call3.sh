# NOTES entry 135, third form: as the second (run_grid<kFlat>), with the scan's shared memory in v's storage instead
# of static (the fused kernels' static shared memory back to main's 1024 bytes; dist_flat3, built with
# `pip wheel -q --no-deps -w dist_flat3 .`) against main's dist_Z: the handoff's GPU tests on dist_flat3, then the
# quick sweep's add_lora cases A B B A, both dtypes. ~110 s:
#   run(command="bash benchmarks/results/2026-12-01-flat-handoff/call3.sh", carry=["dist_Z", "dist_flat3"])
bash benchmarks/ab_quick_builds.sh dist_Z dist_flat3 "$OUT" "grid_handoff"
