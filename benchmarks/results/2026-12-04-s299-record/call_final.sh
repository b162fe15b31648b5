#!/bin/bash
# Entry 301 (device): the final tree's wheel (dist_300, the default build of 1beb683: entry 300's line) through
# test_gpu_one_launch.py and test_gpu_ops.py, and compute-sanitizer memcheck over entry 299's new test (the two-block
# 16-row kernel in clusters of 2 on 67-132 one-row segments).
# Usage (device): bash benchmarks/results/2026-12-04-s299-record/call_final.sh dist_300
bash benchmarks/run_of_record.sh "$1" suite-one-launch
(cd tests && PYTHONPATH=/tmp/rec timeout 150 python3 -m pytest -q -p no:cacheprovider test_gpu_ops.py \
  > "$OUT/gpu-ops-final.txt" 2>&1; tail -1 "$OUT/gpu-ops-final.txt")
(cd tests && PYTHONPATH=/tmp/rec timeout 150 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest \
  -q -p no:cacheprovider test_gpu_one_launch.py -k two_block_clusters > "$OUT/memcheck-pairs.txt" 2>&1;
  echo "memcheck rc=$?"; grep -E "ERROR SUMMARY|passed|failed" "$OUT/memcheck-pairs.txt" | tail -3)
