#!/bin/bash
# Entry 380 (device), call 3: staged_probe with probe_two_tiles (rank 128's fused decomposition), any card.
# Usage (device): bash benchmarks/results/2026-12-06-s379-record/call3.sh
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
(cd benchmarks/stream && nvcc -O3 -arch=sm_90 -o /tmp/staged_probe staged_probe.cu 2>&1 | tail -3)
timeout 200 /tmp/staged_probe > "$OUT/staged-probe.txt" 2>&1; echo "staged_probe rc=$?"; cat "$OUT/staged-probe.txt"
