#!/bin/bash
# Entry 396 (device), call 2: the rest of the GPU suite (every file but test_gpu_one_launch*.py) on dist_C2.
# Usage (device): bash benchmarks/results/2026-12-06-s396/call2.sh   (carry dist_xz_C2; after call 1, same machine)
set -u
[ -d dist_C2 ] || python3 benchmarks/wheel_xz.py unpack dist_xz_C2 dist_C2 > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_C2 suite-rest
