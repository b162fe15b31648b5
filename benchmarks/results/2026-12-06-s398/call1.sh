#!/bin/bash
# Entry 398 (device), call 1: main's default build at 114e845 (dist_E: 608 kernels, the split cap of entry 396 in
# dispatch.py). On an H200: the run of record (quick and full sweeps), then test_gpu_one_launch.py and the padded
# file (call 2 runs the rest there). On an H100: no record (run_of_record's guard would refuse it anyway); the whole
# GPU suite in its three parts (~420 s).
# Files: gpu-name.txt; record/ (H200 only: gpu.txt, versions.txt, quick.tgz, full.tgz); gpu-suite-*.txt.
# Usage (device): bash benchmarks/results/2026-12-06-s398/call1.sh   (carry dist_xz_E)
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
if grep -q H200 "$OUT/gpu-name.txt"; then
  mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_E quick full
  bash benchmarks/run_of_record.sh dist_E suite-one-launch suite-padded
else
  bash benchmarks/run_of_record.sh dist_E suite-one-launch suite-padded suite-rest
fi
rm -f "$OUT/gpu.txt" "$OUT/versions.txt"  # the record's copies are in record/; gpu-name.txt names the card
