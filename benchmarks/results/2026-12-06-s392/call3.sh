#!/bin/bash
# Entry 392 (device), call 3: the rest of the GPU suite (every file but test_gpu_one_launch*.py) on dist_B.
# Usage (device): bash benchmarks/results/2026-12-06-s392/call3.sh   (carry dist_xz_B)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_B dist_B > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_B suite-rest
