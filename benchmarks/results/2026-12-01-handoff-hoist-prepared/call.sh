# The next session's device call for entry 93 (from the repository root; wheels built on the CPU machine, ~2 min each):
#   pip wheel -q --no-deps -w dist_main .                                    # A: the code as it is
#   git apply benchmarks/results/2026-12-01-handoff-hoist-prepared/handoff-hoist-warp-sums.patch
#   pip wheel -q --no-deps -w dist_hoist_sums . && git checkout csrc        # C
#   git apply benchmarks/results/2026-12-01-handoff-hoist-prepared/handoff-hoist.patch
#   pip wheel -q --no-deps -w dist_hoist . && git checkout csrc             # B
# then run this file with carry ["dist_main", "dist_hoist_sums", "dist_hoist"]: C's and B's fused, handoff, graph,
# chain and true-rank GPU tests (the masks past an adapter's rank), and the quick sweep's add_lora cases in the
# order A C C A, then A B B A (~220 s of device time; drop the second pass to spend ~110).
set -o pipefail
for v in hoist_sums hoist; do
  mkdir -p $OUT/$v
  bash benchmarks/ab_quick_builds.sh dist_main dist_$v $OUT/$v "fused or handoff or graph or chain or true_ranks"
  for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv $OUT/$v/results-$r.csv; done
done
