# Call 25 (entry 86): the r32-r64 256-column kernels ask L2 for a block's second column tile behind the shrink's first
# loads (P = dist_p) against the shipped build (A = dist_h): fused GPU tests on P, quick add_lora A P P A.
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_h dist_p "$OUT" "fused or handoff or graph or chain"
