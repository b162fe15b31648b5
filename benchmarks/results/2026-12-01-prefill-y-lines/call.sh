# NOTES entry 114: A = main 298e668 (dist_rec5, the runs of record's wheel), B = y's rows in whole 128-byte lines in
# the 64-row prefill tile's stages (dist_I). run(command="bash benchmarks/results/2026-12-01-prefill-y-lines/call.sh",
# carry=["dist_rec5", "dist_I"]): B's prefill and random-problem GPU tests, then the full sweep's prefill cases at
# ranks 16-64 A B B A.
set -u
bash benchmarks/ab_quick_builds.sh dist_rec5 dist_I "$OUT" "prefill or random" "r16_prefill,r32_prefill,r64_prefill" full
# Then, in a second call on the same machine (memcheck.txt, racecheck.txt here):
#   rm -rf /tmp/sI && python3 -m pip install -q --no-deps --no-index --target /tmp/sI dist_I/*.whl && cd tests &&
#   PYTHONPATH=/tmp/sI compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
#     test_gpu_kernels.py -k "test_kernel and prefill and m64"
#   PYTHONPATH=/tmp/sI compute-sanitizer --tool racecheck python3 -m pytest -q test_gpu_kernels.py \
#     -k "test_kernel and prefill and m64 and bf16"
