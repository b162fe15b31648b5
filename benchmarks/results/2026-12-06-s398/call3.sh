#!/bin/bash
# Entry 398 (device), call 3, after call 2 on an H200 (the same warm machine): the rest of the GPU suite on dist_E,
# then the split cap against no cap on an H200 (entry 396 timed it on H100s only): call 5's five shapes, bf16.
# Usage (device): bash benchmarks/results/2026-12-06-s398/call3.sh   (carry dist_xz_E)
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_E suite-rest
rm -f "$OUT/gpu.txt" "$OUT/versions.txt"
bash benchmarks/results/2026-12-06-s398/cap_ab.sh 5120x13824,13824x5120,3072x8192,8192x3072,6144x6144 bf16 150
