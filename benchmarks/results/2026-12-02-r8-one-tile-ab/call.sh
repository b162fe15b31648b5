# NOTES entry 190: A B B A of dist_k (entry 185's default) against dist_n (entry 188's default), without tests, on the
# rank 8 full-sweep cases entry 189's record put 1.01-1.02x slower, with h8192 r8 uniform bs256 and distinct bs16
# (two-tile launches) as controls:
#   run(command="bash benchmarks/results/2026-12-02-r8-one-tile-ab/call.sh", carry=["dist_k", "dist_n"])
set -o pipefail
cases="h4096_r8_distinct_bs16_,h8192_r8_skewed_bs16_,h8192_r8_uniform_bs64_,h4096to14336_r8_uniform_bs16_"
cases+=",h4096to14336_r8_identical_bs64_,h14336to4096_r8_distinct_bs16_,h14336to4096_r8_skewed_bs16_"
cases+=",h14336to4096_r8_uniform_bs256_,h14336to4096_r8_identical_bs256_,h4096_r8_uniform_bs256_"
cases+=",h8192_r8_uniform_bs256_,h8192_r8_distinct_bs16_"
bash benchmarks/ab_quick_builds.sh dist_k dist_n "$OUT" "" "$cases" full
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
