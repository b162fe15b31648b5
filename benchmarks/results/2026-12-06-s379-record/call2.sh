#!/bin/bash
# Entry 379 (device), call 2: on an H200 only, the run of record on the final tree's default build (dist_17, 8e56e92:
# 592 kernels): the quick and the full sweep (run_of_record.sh). Any other card: nothing run.
# Usage (device): bash benchmarks/results/2026-12-06-s379-record/call2.sh dist_xz_17 dist_17
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
grep -q H200 "$OUT/gpu-name.txt" || { echo "not an H200: no run of record"; exit 3; }
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
bash benchmarks/run_of_record.sh "$2" quick full
