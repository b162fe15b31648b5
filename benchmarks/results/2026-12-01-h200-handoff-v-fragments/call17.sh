# Call 17 (entry 81): the grid handoff's v straight into MMA fragments, loaded through L1 (B = dist_v3), against the
# kept build (A = dist_k): fused/handoff GPU tests on B, quick add_lora A B B A.
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_k dist_v3 "$OUT" "fused or handoff or graph or chain"
cd /tmp && tar czf $OUT/ab.tgz abq
