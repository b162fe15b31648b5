# Call 36 (entry 92): the grid handoff's barrier per row tile with each counter in its own line and the launch counter after the wait (dist_g2) against the shipped build (dist_final2): the
# fused, handoff, graph and chain GPU tests on G, then the quick sweep's add_lora cases (A B B A).
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_final2 dist_g2 $OUT "fused or handoff or graph or chain"
cp /tmp/abq/*/results.csv $OUT/ 2>/dev/null; for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv $OUT/results-$r.csv; done
