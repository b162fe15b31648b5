#!/bin/bash
# Entry 392 (device), call 2: the final tree's default build (dist_B = main at d25f6f1, 604 kernels). On an H200 only,
# first the run of record (quick and full sweeps); then on any card the GPU suite's first part: test_gpu_one_launch.py
# and test_gpu_one_launch_padded.py (call 3 runs the rest).
# Files: gpu-name.txt; record/ (H200 only: gpu.txt, versions.txt, quick.tgz, full.tgz); gpu-suite-one-launch.txt,
# gpu-suite-padded.txt.
# Usage (device): bash benchmarks/results/2026-12-06-s392/call2.sh   (carry dist_xz_B)
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
python3 benchmarks/wheel_xz.py unpack dist_xz_B dist_B > /dev/null || exit 1
if grep -q H200 "$OUT/gpu-name.txt"; then
  mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_B quick full
fi
bash benchmarks/run_of_record.sh dist_B suite-one-launch suite-padded
rm -f "$OUT/gpu.txt" "$OUT/versions.txt"  # the record's copies are in record/; gpu-name.txt names the card
