# NOTES entry 121, B4: A = dist_rec6 (main's kernels), B = dist_P (branch wip/prefill-two-blocks at "The r16 16-row
# prefill tile also as a kernel of two blocks an SM": the _b2 variant for batches of more blocks than SMs, today's
# kernel for the others), then memcheck over the _b2 kernels' tests and the runs of record on dist_P (~400 s):
#   run(command="bash benchmarks/results/2026-12-01-prefill-two-blocks/call-P.sh", carry=["dist_rec6", "dist_P"])
set -u
mkdir -p "$OUT/P"
bash benchmarks/ab_quick_builds.sh dist_rec6 dist_P "$OUT/P" "" \
  "r16_distinct_bs64,r16_distinct_bs256,r32_distinct_bs256,r16_prefill" full
(cd tests && PYTHONPATH=/tmp/abq_B timeout 90 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest \
  -q -p no:cacheprovider test_gpu_kernels.py -k "test_kernel and prefill and b2" > "$OUT/P/memcheck-b2.txt" 2>&1)
echo "memcheck b2: $(grep -E 'passed|failed' "$OUT/P/memcheck-b2.txt" | tail -1) $(tail -1 "$OUT/P/memcheck-b2.txt")"
bash benchmarks/run_of_record.sh dist_P suite quick
