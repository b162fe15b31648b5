#!/usr/bin/env bash
# NOTES entry 196, in place of call3.sh (a refused start left too little device time for the whole suite): on dist_q,
# whose 416 other kernels have dist_m's SASS (its whole suite passed, entry 193), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-r128-prefill/call4.sh", carry=["dist_q"])
# 1. every GPU test whose id names rank 128 (r128), the rank-halves, random-problem and true-ranks tests, and
#    test_bench.py, test_readme.py, test_loader.py (gpu-r128.txt)
# 2. memcheck over the rank-128 prefill kernels' per-kernel tests (memcheck-r128.txt)
# 3. racecheck over a small launch of the bf16 rank-128 prefill kernel, three tiles (racecheck-r128.txt)
# 4. one bench run of the full sweep's 16 rank-128 prefill cases (bench-q/)
set -uo pipefail
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_q/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd tests
timeout 150 python3 -m pytest -q -p no:cacheprovider -rf test_gpu_one_launch.py test_gpu_ops.py test_gpu_kernels.py \
  test_bench.py test_readme.py test_loader.py \
  -k "r128 or rank_halves or random_problems or true_ranks_equal or test_bench or test_readme or test_loader" \
  > "$OUT/gpu-r128.txt" 2>&1
tail -1 "$OUT/gpu-r128.txt"
timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py test_gpu_one_launch.py -k "prefill and r128 and (test_kernel or one_row)" > "$OUT/memcheck-r128.txt" 2>&1
echo "memcheck rc=$?: $(grep -E 'passed|failed' "$OUT/memcheck-r128.txt" | tail -1) $(tail -1 "$OUT/memcheck-r128.txt")"
timeout 45 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 \
  ../benchmarks/sanitize/racecheck_probe.py sgmv_prefill_bf16_r128_hany_w11m64n128u1_v8 1,1,3 > "$OUT/racecheck-r128.txt" 2>&1
echo "racecheck rc=$?: $(grep -E 'matches|RACECHECK SUMMARY|Error' "$OUT/racecheck-r128.txt" | tr '\n' ' ')"
cd /tmp && timeout 30 python3 -m sgmv bench --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs \
  --cases r128_prefill --out "$OUT/bench-q" > "$OUT/bench-q.log" 2>&1; tail -2 "$OUT/bench-q.log"
