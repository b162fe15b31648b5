# Call 19 (entry 82): the grid handoff below rank 32 finds its share of the other buffer during the barrier and zeroes
# it after the expand (B = dist_z) against the kept build (A = dist_k): fused/handoff GPU tests on B, quick add_lora
# A B B A.
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_k dist_z "$OUT" "fused or handoff or graph or chain"
cd /tmp && tar czf $OUT/ab.tgz abq
