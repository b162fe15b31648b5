# NOTES entry 180: the 32-row fused tiles with entry 177's reads before the wait (SGMV_TALL_READS_BEFORE_WAIT,
# dist_tallfull) against head's default build (dist_s178's SASS), from the repository root, built one after the other
# (never two at once from one checkout: entry 177):
#   pip wheel -q --no-deps -w dist_s178 .
#   SGMV_NVCC_FLAGS=-DSGMV_TALL_READS_BEFORE_WAIT pip wheel -q --no-deps -C build-dir=build/tallfull -w dist_tallfull .
#   run(command="bash benchmarks/results/2026-12-02-tall-reads-before-wait/call.sh", carry=["dist_s178", "dist_tallfull"])
# The GPU tests of the 32-row fused kernels on dist_tallfull, then A B B A over the quick sweep's identical bs256
# add_lora cases (the batches dispatch gives the 32-row tiles there), ~150 s.
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_s178 dist_tallfull "$OUT" "fused and m32n" "identical_bs256"
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
