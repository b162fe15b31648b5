#!/bin/bash
# Entry 376 (device), call 1: first entry 376's probe of tensor copies and multicast (tma_probe.cu) beside
# staged_probe.cu (its baseline); then what entry 375 left unrun on the final tree's build (dist_17, 8e56e92's default
# build): the GPU tests its call 2 had not reached (s375's call3.sh, rest-tail-ids.txt), then the full sweep.
# Usage (device): bash benchmarks/results/2026-12-06-s376-final-tree-rest/call1.sh dist_xz_17 dist_17
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
(cd benchmarks/stream &&
 nvcc -O3 -std=c++17 -gencode arch=compute_90a,code=sm_90a -o /tmp/tma_probe tma_probe.cu 2>&1 | tail -3 &&
 nvcc -O3 -arch=sm_90 -o /tmp/staged_probe staged_probe.cu 2>&1 | tail -3)
timeout 120 /tmp/tma_probe > "$OUT/tma-probe.txt" 2>&1; echo "tma_probe rc=$?"; cat "$OUT/tma-probe.txt"
timeout 150 /tmp/staged_probe > "$OUT/staged-probe.txt" 2>&1; echo "staged_probe rc=$?"; cat "$OUT/staged-probe.txt"
cd "$repo" && bash benchmarks/results/2026-12-06-s375-final-tree/call3.sh "$1" "$2"
# The full sweep only on an H200 (BENCH.md's targets are the H200's; another card's sweep is no record).
grep -q H200 "$OUT/gpu-name.txt" && cd "$repo" && bash benchmarks/run_of_record.sh "$2" full
