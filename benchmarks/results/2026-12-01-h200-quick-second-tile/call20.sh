# Call 20 (entry 83): the grid handoff copies a block's second column tile with its first, behind the shrink's first
# loads (B = dist_t2), against the kept build (A = dist_k): fused/handoff GPU tests on B, quick add_lora A B B A.
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_k dist_t2 "$OUT" "fused or handoff or graph or chain"
cd /tmp && tar czf $OUT/ab.tgz abq
