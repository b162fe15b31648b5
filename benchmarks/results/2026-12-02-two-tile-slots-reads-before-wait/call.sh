# NOTES entry 184 (prepared, not run): a block of exactly two column tiles in the kernels with the cluster's storage
# (kRing 2: r8-r16 256- and 512-column, r32 256-column; the second tile in the ring's other slots) reads its first
# from the slots during the barrier's wait too (SGMV_TWO_TILE_SLOTS_READS_BEFORE_WAIT, dist_t3) against head's default
# build (dist_def), from the repository root, built one after the other (never two at once from one checkout: entry
# 177):
#   pip wheel -q --no-deps -w dist_def .
#   SGMV_NVCC_FLAGS=-DSGMV_TWO_TILE_SLOTS_READS_BEFORE_WAIT pip wheel -q --no-deps -C build-dir=build/t3 -w dist_t3 .
#   run(command="bash benchmarks/results/2026-12-02-two-tile-slots-reads-before-wait/call.sh",
#       carry=["dist_def", "dist_t3"])
# The fused, handoff, graph, chain and random-problem GPU tests on dist_t3, then A B B A over the full sweep's cases
# whose launches give a block two column tiles on those kernels (launch_plan on the H200's 132 SMs), with unchanged
# controls (the one-tile r16 identical cases, the skewed bs64 batches at every rank) (~300 s).
# (The flag is gone since ebbc729, which keeps the change at ranks 8-16 without it; build this at c12bfeb.)
set -o pipefail
cases="h8192_r16_distinct_bs16_,h8192_r16_uniform_bs256_,h4096_r32_distinct_bs16_,h4096_r32_uniform_bs256_"
cases+=",h4096_r32_identical_bs256_,h8192_r8_distinct_bs16_,h8192_r8_uniform_bs256_,h8192_r8_identical_bs256_"
cases+=",h8192_r32_uniform_bs64_,h4096to14336_r16_uniform_bs64_,h4096to14336_r32_identical_bs64_"
cases+=",h14336to4096_r32_distinct_bs16_,h14336to4096_r32_uniform_bs256_,h14336to4096_r32_identical_bs256_"
cases+=",_skewed_bs64_,h4096_r16_identical_bs256_,h8192_r16_identical_bs64_"
bash benchmarks/ab_quick_builds.sh dist_def dist_t3 "$OUT" "fused or handoff or graph or chain or random" "$cases" full
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
