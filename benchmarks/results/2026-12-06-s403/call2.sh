#!/bin/bash
# Entry 403 (device), call 2: the rest of the GPU suite (every file but test_gpu_one_launch*.py) on dist_G.
# Usage (device): bash benchmarks/results/2026-12-06-s403/call2.sh   (carry dist_xz_G)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_G dist_G > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_G suite-rest
