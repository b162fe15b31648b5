# NOTES entry 106, ranks 32 and 16: C = the r64 change (dist_C), D = the same at rank 32 too (dist_D), E = at rank 16
# too (dist_E). The full sweep's r32 and r64 prefill cases C D D C (r64: unchanged SASS, a control), then E's
# prefill, true-ranks and random-problem GPU tests and the full sweep's r16 prefill cases D E E D, then
# compute-sanitizer memcheck over E's 64-row prefill kernels' tests.
#   run(command="bash benchmarks/results/2026-12-01-prefill-shrink-wgmma/call-r32-r16.sh",
#       carry=["dist_C", "dist_D", "dist_E"])
set -u
mkdir -p $OUT/r32 $OUT/r16
bash benchmarks/ab_quick_builds.sh dist_C dist_D "$OUT/r32" "" "_r32_prefill,_r64_prefill" full
bash benchmarks/ab_quick_builds.sh dist_D dist_E "$OUT/r16" "prefill or random or ranks" "_r16_prefill" full
cd tests
PYTHONPATH=/tmp/abq_B timeout 150 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
  -p no:cacheprovider test_gpu_*.py -k "prefill and m64" > $OUT/memcheck.txt 2>&1
tail -2 $OUT/memcheck.txt
