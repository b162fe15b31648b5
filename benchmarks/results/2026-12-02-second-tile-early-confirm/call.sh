# NOTES entry 188 (ran, kept): entry 187's change for the non-flat kernels only (SGMV_SECOND_TILE_EARLY,
# dist_t5) against head's default build (dist_k, ebbc729's SASS in all 416 kernels), A B B A without tests, then the
# whole GPU suite on dist_t5 (its 8 changed kernels have dist_t4's SASS, whose fused and handoff tests at ranks 8-16
# passed in entry 187; its flat kernels have dist_k's). From the repository root, built one after the other:
#   pip wheel -q --no-deps -C build-dir=build/k -w dist_k .
#   SGMV_NVCC_FLAGS=-DSGMV_SECOND_TILE_EARLY pip wheel -q --no-deps -C build-dir=build/t5 -w dist_t5 .
#   run(command="bash benchmarks/results/2026-12-02-second-tile-early-confirm/call.sh", carry=["dist_k", "dist_t5"])
# ~90 s for the A/B, ~385 s for the suite (460 s in all). Since entry 188 the change is the default, no flag.
set -o pipefail
cases="h8192_r16_distinct_bs16_,h8192_r16_uniform_bs256_,h8192_r8_distinct_bs16_,h8192_r8_uniform_bs256_"
cases+=",h8192_r8_identical_bs256_,h4096to14336_r16_uniform_bs64_,h14336to4096_r16_uniform_bs64_"
cases+=",r8_identical_bs16_,r16_identical_bs16_,h4096_r16_distinct_bs16_,h4096_r16_skewed_bs64_"
bash benchmarks/ab_quick_builds.sh dist_k dist_t5 "$OUT" "" "$cases" full
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
bash benchmarks/run_of_record.sh dist_t5 suite
