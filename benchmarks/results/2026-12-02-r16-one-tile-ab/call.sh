# NOTES entry 191: A B B A of dist_k (entry 185's default) against dist_m (entry 190's default: entry 188's reads
# without rank 8's 512-column kernel), without tests, on rank 16's 512-column kernel's one-tile full-sweep launches,
# h8192 r16 uniform bs256 (two-tile) and rank 8 controls (now dist_k's SASS):
#   run(command="bash benchmarks/results/2026-12-02-r16-one-tile-ab/call.sh", carry=["dist_k", "dist_m"])
set -o pipefail
cases="h4096_r16_distinct_bs16_,h4096to14336_r16_skewed_bs64_,h4096to14336_r16_skewed_bs16_"
cases+=",h14336to4096_r16_uniform_bs64_,h8192_r16_skewed_bs16_,h4096_r16_uniform_bs256_"
cases+=",h14336to4096_r16_identical_bs256_,h4096to14336_r16_identical_bs64_,h8192_r16_uniform_bs64_"
cases+=",h8192_r16_uniform_bs256_,h4096_r8_distinct_bs16_,h8192_r8_skewed_bs16_,h14336to4096_r8_identical_bs16_"
bash benchmarks/ab_quick_builds.sh dist_k dist_m "$OUT" "" "$cases" full
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
