#!/bin/bash
# Entries 376-377 (device), call 4, only on an H200: tma_probe.cu and staged_probe.cu (with async_ll) on the card the
# targets are for, then the full sweep on the final tree's build (dist_17). Usage (device):
#   bash benchmarks/results/2026-12-06-s376-final-tree-rest/call4.sh dist_xz_17 dist_17
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
grep -q H200 "$OUT/gpu-name.txt" || { echo "not an H200: nothing run"; exit 3; }
(cd benchmarks/stream &&
 nvcc -O3 -std=c++17 -gencode arch=compute_90a,code=sm_90a -o /tmp/tma_probe tma_probe.cu 2>&1 | tail -3 &&
 nvcc -O3 -arch=sm_90 -o /tmp/staged_probe staged_probe.cu 2>&1 | tail -3)
timeout 120 /tmp/tma_probe > "$OUT/tma-probe.txt" 2>&1; echo "tma_probe rc=$?"; cat "$OUT/tma-probe.txt"
timeout 150 /tmp/staged_probe > "$OUT/staged-probe.txt" 2>&1; echo "staged_probe rc=$?"; grep pdl "$OUT/staged-probe.txt"
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
cd "$repo" && bash benchmarks/run_of_record.sh "$2" full
