# NOTES entry 121, B3: A = dist_rec6 (main's kernels), B = dist_O (branch wip/prefill-two-blocks, third commit: the r16
# 16-row tile at two blocks an SM, held to one where the batch's blocks fit one an SM). Then the runs of record on
# dist_O in the same call (kept or not, decided after; ~520 s in all):
#   run(command="bash benchmarks/results/2026-12-01-prefill-two-blocks/call-O.sh", carry=["dist_rec6", "dist_O"])
set -u
mkdir -p "$OUT/O"
bash benchmarks/ab_quick_builds.sh dist_rec6 dist_O "$OUT/O" "" \
  "r16_distinct_bs64,r16_distinct_bs256,r32_distinct_bs256,r16_prefill" full
bash benchmarks/run_of_record.sh dist_O suite quick
