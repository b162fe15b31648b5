# NOTES entry 115 (prepared): A = main 202d0d2 (dist_final2), B = branch wip/prefill-rows-in-lines d440952 (dist_J: x,
# A and y in whole 128-byte lines in every prefill tile). Both wheels were built on the CPU machine when this was
# prepared; if they are gone:
#   git worktree add --detach /tmp/wtA 202d0d2 && (cd /tmp/wtA && pip wheel -q --no-deps -w /work/main/dist_final2 .)
#   git worktree add --detach /tmp/wtB wip/prefill-rows-in-lines && (cd /tmp/wtB && pip wheel -q --no-deps -w /work/main/dist_J .)
#   bash benchmarks/sass_compare.sh dist_final2/*.whl dist_J/*.whl   # expect: the 24 prefill kernels differ
# (or: git apply rows-in-lines.patch on main 202d0d2). Then
# run(command="bash benchmarks/results/2026-12-01-prefill-rows-in-lines-prepared/call.sh", carry=["dist_final2", "dist_J"]):
# B's prefill and random-problem GPU tests, memcheck and racecheck over B's prefill kernels' per-kernel tests, then
# the full sweep's prefill cases at ranks 16-64 and its distinct bs64 and bs256 batches (the 16-row tile) A B B A.
set -u
rm -rf /tmp/sJ && python3 -m pip install -q --no-deps --no-index --target /tmp/sJ dist_J/*.whl
(cd tests && PYTHONPATH=/tmp/sJ timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest \
  -q -p no:cacheprovider test_gpu_kernels.py -k "test_kernel and prefill" 2>&1 | tail -2) > "$OUT/memcheck.txt"
(cd tests && PYTHONPATH=/tmp/sJ timeout 90 compute-sanitizer --tool racecheck python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "test_kernel and prefill and bf16" 2>&1 | tail -2) > "$OUT/racecheck.txt"
cat "$OUT/memcheck.txt" "$OUT/racecheck.txt"
bash benchmarks/ab_quick_builds.sh dist_final2 dist_J "$OUT" "prefill or random" \
  "r16_prefill,r32_prefill,r64_prefill,distinct_bs64,distinct_bs256" full
