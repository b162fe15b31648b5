# NOTES entry 136: the flat grid handoff as 18 kernels of their own (branch wip/flat-kernels; its default wheel
# dist_flat5, built on the CPU machine with `pip wheel -q --no-deps -w dist_flat5 .`; main's 394 kernels in it are
# byte for byte main's, `sass_compare.sh`) against main's dist_Z: the fused kernels' GPU tests on dist_flat5, then the
# full sweep's skewed cases A B B A, both dtypes. ~200 s:
#   run(command="bash benchmarks/results/2026-12-02-flat-kernels/call.sh", carry=["dist_Z", "dist_flat5"])
# then the whole GPU suite on dist_flat5 before it lands (~330 s):
#   run(command="bash benchmarks/run_of_record.sh dist_flat5 suite", carry=["dist_flat5"])
bash benchmarks/ab_quick_builds.sh dist_Z dist_flat5 "$OUT" "fused or handoff or graph or chain or rank_halves or skewed" \
  "skewed" full
cp /tmp/abq/B1/results.csv "$OUT/B1-results.csv"; cp /tmp/abq/A1/results.csv "$OUT/A1-results.csv"
