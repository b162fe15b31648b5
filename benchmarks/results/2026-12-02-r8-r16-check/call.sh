# NOTES entry 186: dist_def (default build of 8637f4a) against dist_k (ebbc729, entry 184 at ranks 8-16), A B B A over
# every full-sweep case at ranks 8 and 16 (both dtypes, add_lora, no tests), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-r8-r16-check/call.sh", carry=["dist_def", "dist_k"])
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_def dist_k "$OUT" "" "_r8_,_r16_" full
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/results-$r.csv"; done
