#!/bin/bash
# Entry 388 (device), call 4: on an H200 only, the run of record of the final tree's default build (dist_22: main with
# entry 387's tile, 600 kernels): the quick and the full sweep (run_of_record.sh). Any other card: nothing run.
# Usage (device): bash benchmarks/results/2026-12-06-s386/call4.sh
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
grep -q H200 "$OUT/gpu-name.txt" || { echo "not an H200: no run of record"; exit 3; }
python3 benchmarks/wheel_xz.py unpack dist_xz_22 dist_22 > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_22 quick full
