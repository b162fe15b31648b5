#!/bin/bash
# Entry 398 (device), call 2 (kind nvidia-h200; either card may come). On an H200: the run of record on dist_E (quick
# and full sweeps), then test_gpu_one_launch.py and the padded file (call 3 runs the rest and the cap's A/B there).
# On an H100: the split cap (entry 396) against no cap on five shapes no call has timed (2560 <-> 6912, 3584 -> 3584,
# 7168 -> 7168, 2048 -> 8192: h_in of 80, 112, 216, 224 and 64 chunks), ranks 32, 64, 128, one segment of 2-16
# rows, bf16 then fp16, medians of 3, each case checked against the float32 reference before timing.
# Files: gpu-name.txt; H200: record/ (gpu.txt, versions.txt, quick.tgz, full.tgz), gpu-suite-*.txt; H100:
# HANDOFF_ONE_TILE_MAX_SPLITS-bf16.txt, -fp16.txt, sweep.tgz.
# Usage (device): bash benchmarks/results/2026-12-06-s398/call2.sh   (carry dist_xz_E)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
if grep -q H200 "$OUT/gpu-name.txt"; then
  mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_E quick full
  bash benchmarks/run_of_record.sh dist_E suite-one-launch suite-padded
  rm -f "$OUT/gpu.txt" "$OUT/versions.txt"
  exit 0
fi
bash benchmarks/results/2026-12-06-s398/cap_ab.sh 2560x6912,6912x2560,3584x3584,7168x7168,2048x8192 bf16,fp16 270
