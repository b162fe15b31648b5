# The next session's device call for entry 93 (from the repository root, wheels built on the CPU machine):
#   git apply benchmarks/results/2026-12-01-handoff-hoist-prepared/handoff-hoist.patch
#   pip wheel -q --no-deps -w dist_hoist .          # the default build with the patch (B)
#   git checkout csrc && pip wheel -q --no-deps -w dist_main .   # the default build without it (A)
# then run this file with carry ["dist_main", "dist_hoist", "benchmarks"]: B's fused, handoff, graph and chain GPU
# tests, and the quick sweep's add_lora cases in the order A B B A (ab-summary.txt: per case and per kernel).
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_main dist_hoist $OUT "fused or handoff or graph or chain"
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv $OUT/results-$r.csv; done
