#!/usr/bin/env bash
# A/B of a fused-kernel change on the GPU machine (NOTES entries 204-210), from the repository root: B's GPU tests of the
# changed kernels and the random problems, then benchmarks/ab_quick_builds.sh's A B B A runs over the full sweep's
# CASES; memcheck over the changed kernels' tests (fused kernels only) and racecheck on two small launches of RACE (a
# kernel name: its two-column-tile test and its grid-handoff test of 8 x 24 on the mixed layout).
#   bash benchmarks/ab_fused_tile.sh dist_A dist_B "$OUT" TESTS_K CASES RACE
# TESTS_K: a pytest -k expression naming the changed kernels (e.g. "r64_hany_w8m32"); CASES: the bench's --cases.
# Writes $OUT/ab/ (ab-summary.txt, each run's CSV, gpu-tests.txt), $OUT/memcheck.txt and $OUT/sanitizers.txt.
set -uo pipefail
a_dir=$1 b_dir=$2 out=$3 tests=$4 cases=$5 race=$6
mkdir -p "$out/ab"
bash benchmarks/ab_quick_builds.sh "$a_dir" "$b_dir" "$out/ab" "$tests or random_problems" "$cases" full
rm -rf /tmp/abf_B && python3 -m pip install -q --no-deps --no-index --target /tmp/abf_B "$b_dir"/*.whl || exit 1
(cd tests && export PYTHONPATH=/tmp/abf_B
 timeout 150 compute-sanitizer --tool memcheck --report-api-errors no --kernel-name kns=sgmv_fused python3 -m pytest \
   -q -p no:cacheprovider test_gpu_kernels.py test_gpu_one_launch.py -k "$tests" > "$out/memcheck.txt" 2>&1
 echo "memcheck rc=$?: $(grep -E 'passed|failed' "$out/memcheck.txt" | tail -1) $(tail -1 "$out/memcheck.txt")"
 for t in "test_gpu_one_launch.py::test_fused_handoff_blocks_of_two_column_tiles[$race]" \
          "test_gpu_one_launch.py::test_fused_kernel_with_the_grid_handoff[$race-8x24-mixed]"; do
   result=$(timeout 90 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused python3 -m pytest -q \
            -p no:cacheprovider "$t" 2>&1)
   echo "racecheck rc=$? $t: $(grep -E 'passed|failed|RACECHECK SUMMARY|Error' <<<"$result" | tr '\n' ' ')"
 done) | tee "$out/sanitizers.txt"
