# Entry 96, call 5: the handoff's poll loop with __nanosleep(32) (sleep32.patch) and the counter alone in its
# 128-byte line (header128.patch), each a default wheel against the shipped one (dist_final, 6143818), A B B A on
# the quick sweep's add_lora cases, both dtypes, with the fused, handoff, graph and chain GPU tests on B.
set -u
bash benchmarks/ab_quick_builds.sh dist_final dist_sleep32 "$OUT" "fused or handoff or graph or chain"
mv "$OUT/ab-summary.txt" "$OUT/ab-summary-sleep32.txt"; mv "$OUT/gpu-tests.txt" "$OUT/gpu-tests-sleep32.txt"
bash benchmarks/ab_quick_builds.sh dist_final dist_header128 "$OUT" "fused or handoff or graph or chain"
mv "$OUT/ab-summary.txt" "$OUT/ab-summary-header128.txt"; mv "$OUT/gpu-tests.txt" "$OUT/gpu-tests-header128.txt"
