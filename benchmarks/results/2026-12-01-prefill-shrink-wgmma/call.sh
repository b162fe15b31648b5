# NOTES entry 106: A = main's wheel (dist_B, 58e9d93's kernels), B = the prefill shrink as wgmma (dist_C). B's
# prefill, true-ranks and random-problem GPU tests, the quick sweep's prefill cases A B B A, then compute-sanitizer
# memcheck and racecheck over the changed kernels' own tests.
#   run(command="bash benchmarks/results/2026-12-01-prefill-shrink-wgmma/call.sh", carry=["dist_B", "dist_C"])
set -u
bash benchmarks/ab_quick_builds.sh dist_B dist_C "$OUT" "prefill or random or ranks" "prefill"
cd tests
PYTHONPATH=/tmp/abq_B timeout 150 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
  -p no:cacheprovider test_gpu_*.py -k "prefill and r64 and m64" > $OUT/memcheck.txt 2>&1
tail -2 $OUT/memcheck.txt
PYTHONPATH=/tmp/abq_B timeout 150 compute-sanitizer --tool racecheck python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "test_kernel and prefill_bf16_r64_hany_w11m64n128u1_v8" > $OUT/racecheck.txt 2>&1
tail -2 $OUT/racecheck.txt
