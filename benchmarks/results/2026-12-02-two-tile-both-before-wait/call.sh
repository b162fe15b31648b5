# NOTES entry 187: a block of two column tiles at ranks 8-16 with the cluster's storage reads its second tile from
# smem.next during the barrier's wait too (SGMV_TWO_TILE_BOTH_BEFORE_WAIT, dist_t4) against head's default build
# (dist_k, ebbc729's SASS), from the repository root, built one after the other:
#   pip wheel -q --no-deps -C build-dir=build/k -w dist_k .
#   SGMV_NVCC_FLAGS=-DSGMV_TWO_TILE_BOTH_BEFORE_WAIT pip wheel -q --no-deps -C build-dir=build/t4 -w dist_t4 .
#   run(command="bash benchmarks/results/2026-12-02-two-tile-both-before-wait/call.sh", carry=["dist_k", "dist_t4"])
# The two-tile test and the fused handoff tests of the r8-r16 kernels on dist_t4, then A B B A over the full sweep's
# rank 8-16 fused cases entry 184 changed (two-tile launches) and controls on the same kernels (~150 s).
# (At ff7b66f; since the next commits the change is SGMV_SECOND_TILE_EARLY, without the flat kernels: entry 188.)
set -o pipefail
cases="h8192_r16_distinct_bs16_,h8192_r16_uniform_bs256_,h8192_r8_distinct_bs16_,h8192_r8_uniform_bs256_"
cases+=",h8192_r8_identical_bs256_,h4096to14336_r16_uniform_bs64_,h14336to4096_r16_uniform_bs64_,_r8_skewed_bs64_"
cases+=",_r16_skewed_bs64_,r8_identical_bs16_,r16_identical_bs16_,h4096_r16_identical_bs256_,h4096_r16_distinct_bs16_"
bash benchmarks/ab_quick_builds.sh dist_k dist_t4 "$OUT" "(fused or handoff) and (_r8_ or _r16_)" "$cases" full
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
