# NOTES entry 177, candidate E (prepared, not run): the one-tile expand's reads from its slots during the barrier's wait
# (SGMV_EXPAND_READS_BEFORE_WAIT, dist_e) against the default build of the same tree (dist_rec), from the repository
# root, both built on the CPU machine:
#   pip wheel -q --no-deps -w dist_rec .
#   SGMV_NVCC_FLAGS=-DSGMV_EXPAND_READS_BEFORE_WAIT pip wheel -q --no-deps -w dist_e .
#   run(command="bash benchmarks/results/2026-12-02-expand-early-reads/call.sh", carry=["dist_rec", "dist_e"])
# First entry 175's never-hang test over every prefill kernel of dist_rec (its final form, unrun), then the fused,
# handoff, graph and chain GPU tests on dist_e and the quick sweep's add_lora cases, A B B A (~300 s in all).
set -o pipefail
bash benchmarks/results/2026-12-02-s174-record/never_hang_all.sh
bash benchmarks/ab_quick_builds.sh dist_rec dist_e "$OUT" "fused or handoff or graph or chain"
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
