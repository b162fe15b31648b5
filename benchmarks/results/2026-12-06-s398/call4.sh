#!/bin/bash
# Entry 398 (device), call 4 (kind nvidia-h200): on an H200 only, the run of record on dist_E (quick and full sweeps),
# then test_gpu_one_launch.py and the padded file; on an H100 nothing (the suite passed there in call 1).
# Usage (device): bash benchmarks/results/2026-12-06-s398/call4.sh   (carry dist_xz_E)
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
grep -q H200 "$OUT/gpu-name.txt" || exit 0
python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_E quick full
bash benchmarks/run_of_record.sh dist_E suite-one-launch suite-padded
rm -f "$OUT/gpu.txt" "$OUT/versions.txt"
