#!/bin/bash
# Entry 379 (device), call 1: staged_probe with entry 379's 64-row groups (any card: its baselines run in the same
# call) and tma_probe (entry 376's forms, so far measured on an H100 only); then, on an H200 only, the run of record on
# the final tree's default build (dist_17, 8e56e92: 592 kernels): the quick and the full sweep.
# Usage (device): bash benchmarks/results/2026-12-06-s379-record/call1.sh dist_xz_17 dist_17
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
(cd benchmarks/stream &&
 nvcc -O3 -arch=sm_90 -o /tmp/staged_probe staged_probe.cu 2>&1 | tail -3 &&
 nvcc -O3 -std=c++17 -gencode arch=compute_90a,code=sm_90a -o /tmp/tma_probe tma_probe.cu 2>&1 | tail -3)
timeout 200 /tmp/staged_probe > "$OUT/staged-probe.txt" 2>&1; echo "staged_probe rc=$?"; cat "$OUT/staged-probe.txt"
timeout 120 /tmp/tma_probe > "$OUT/tma-probe.txt" 2>&1; echo "tma_probe rc=$?"; cat "$OUT/tma-probe.txt"
grep -q H200 "$OUT/gpu-name.txt" || { echo "not an H200: no run of record"; exit 3; }
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
cd "$repo" && bash benchmarks/run_of_record.sh "$2" quick full
