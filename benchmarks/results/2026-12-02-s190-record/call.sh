# NOTES entry 192: the runs of record on dist_m, the default wheel after entry 190 (its SASS: dist_k's in rank 8's two
# 512-column fused kernels, dist_n's = dist_t5's in the other 414; both builds passed the whole GPU suite, entries
# 185 and 188):
#   run(command="bash benchmarks/results/2026-12-02-s190-record/call.sh", carry=["dist_m"])
set -o pipefail
bash benchmarks/run_of_record.sh dist_m quick full
