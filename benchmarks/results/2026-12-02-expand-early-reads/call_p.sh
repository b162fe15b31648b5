# NOTES entry 177, candidate P (prepared, not run): the second column tile's rows of B asked of L2 before the shrink
# (SGMV_SECOND_TILE_PREFETCH_L2, dist_p) against the default build (dist_rec), from the repository root:
#   pip wheel -q --no-deps -w dist_rec .
#   SGMV_NVCC_FLAGS=-DSGMV_SECOND_TILE_PREFETCH_L2 pip wheel -q --no-deps -w dist_p .
#   run(command="bash benchmarks/results/2026-12-02-expand-early-reads/call_p.sh", carry=["dist_rec", "dist_p"])
# The fused, handoff, graph and chain GPU tests on dist_p, then the quick sweep's r64 add_lora cases, A B B A.
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_rec dist_p "$OUT" "fused or handoff or graph or chain" "r64_"
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
