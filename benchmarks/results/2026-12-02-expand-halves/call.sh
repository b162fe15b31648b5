#!/usr/bin/env bash
# NOTES entry 201 (prepared, not run): the 64-row prefill tile's expand in two pipelined 32-column halves.
# On the CPU machine, from the repository root:
#   git apply benchmarks/results/2026-12-02-expand-halves/expand-halves-not-kept.patch
#   pip wheel -q --no-deps -C build-dir=build/k128 -w dist_eh .   # B; A: head's default wheel in dist_head
#   git checkout csrc
# then on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-02-expand-halves/call.sh", carry=["dist_head", "dist_eh"])
# 1. B's GPU tests of the prefill kernel and the random problems (gpu-tests.txt), memcheck over the 64-row tiles'
#    per-kernel tests, racecheck on a small launch of the bf16 rank-64 and rank-128 64-row tiles
# 2. A/B (A B B A) over the full sweep's prefill cases at ranks 16-128 (ab/; 64 cases a run: if the call nears
#    600 s, run the tests and the A/B in two calls)
set -uo pipefail
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_head dist_eh "$OUT/ab" "prefill or random_problems" \
  r16_prefill,r32_prefill,r64_prefill,r128_prefill full
rm -rf /tmp/eh && python3 -m pip install -q --no-deps --no-index --target /tmp/eh dist_eh/*.whl || exit 1
(cd tests && export PYTHONPATH=/tmp/eh
 timeout 90 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
   test_gpu_kernels.py -k "test_kernel and prefill and w11m64" > "$OUT/memcheck.txt" 2>&1
 echo "memcheck rc=$?: $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")"
 for k in sgmv_prefill_bf16_r64_hany_w11m64n128u1_v8 sgmv_prefill_bf16_r128_hany_w11m64n128u1_v8; do
   timeout 45 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 \
     ../benchmarks/sanitize/racecheck_probe.py $k 1,1,3 > "$OUT/racecheck-$k.txt" 2>&1
   echo "racecheck $k rc=$?: $(grep -E 'matches|RACECHECK SUMMARY|Error' "$OUT/racecheck-$k.txt" | tr '\n' ' ')"
 done)
