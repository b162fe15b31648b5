# Call 39 (entry 92): the row-tile barrier only where a launch has at least 2 (dist_g5) or 16 (dist_g6) row tiles,
# else the launch counter's barrier as before, each against the shipped build (dist_final2): the fused, handoff,
# graph and chain GPU tests, then the quick sweep's add_lora cases (A B B A).
set -o pipefail
for v in g5 g6; do
  mkdir -p $OUT/$v
  bash benchmarks/ab_quick_builds.sh dist_final2 dist_$v $OUT/$v "fused or handoff or graph or chain"
  for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv $OUT/$v/results-$r.csv; done
done
