# Prepared in the session of entry 103 (no device time was left), to run in the next one: NOTES entry 104.
# On the CPU machine (the change is second-tile-registers.patch in this folder, also the branch
# wip/second-tile-registers where it survived):
#   pip wheel -q --no-deps -w dist_A .          # main as it is
#   git apply benchmarks/results/2026-12-01-second-tile-registers/second-tile-registers.patch
#   pip wheel -q --no-deps -w dist_B .
#   bash benchmarks/sass_compare.sh dist_A/*.whl dist_B/*.whl   # expect: only the two r64 256-column fused kernels
# then: run(command="bash benchmarks/results/2026-12-01-second-tile-registers/call.sh",
# carry=["dist_A", "dist_B"]). It runs B's fused, handoff, graph, chain and random-problem GPU tests, then the quick
# sweep's add_lora cases, both dtypes, A B B A (ab_quick_builds.sh), then compute-sanitizer memcheck over the handoff
# test of the changed kernel.
set -u
bash benchmarks/ab_quick_builds.sh dist_A dist_B "$OUT" "fused or handoff or graph or chain or random"
(cd tests && PYTHONPATH=/tmp/abq_B timeout 200 compute-sanitizer --tool memcheck --report-api-errors no \
  python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "grid_handoff and r64 and n256" > $OUT/memcheck.txt 2>&1)
tail -2 $OUT/memcheck.txt
