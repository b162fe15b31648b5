#!/bin/bash
# Entry 398 (device), call 2, after call 1 on an H200 (same warm machine): the rest of the GPU suite on dist_E.
# Usage (device): bash benchmarks/results/2026-12-06-s398/call2.sh   (carry dist_xz_E)
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_E suite-rest
rm -f "$OUT/gpu.txt" "$OUT/versions.txt"
