# NOTES entry 181 (prepared, not run): a block of exactly two column tiles in the r64 256-column kernel (the second in
# registers) reads its first from the slots during the barrier's wait too (SGMV_TWO_TILE_READS_BEFORE_WAIT, dist_t2)
# against head's default build (dist_rec), from the repository root, built one after the other (never two at once
# from one checkout: entry 177):
#   pip wheel -q --no-deps -w dist_rec .
#   SGMV_NVCC_FLAGS=-DSGMV_TWO_TILE_READS_BEFORE_WAIT pip wheel -q --no-deps -C build-dir=build/t2 -w dist_t2 .
#   run(command="bash benchmarks/results/2026-12-02-two-tile-reads-before-wait/call.sh", carry=["dist_rec", "dist_t2"])
# The fused, handoff, graph, chain and random-problem GPU tests on dist_t2, then A B B A over the quick sweep's r64
# add_lora cases (~250 s).
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_rec dist_t2 "$OUT" "fused or handoff or graph or chain or random" "r64_"
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
