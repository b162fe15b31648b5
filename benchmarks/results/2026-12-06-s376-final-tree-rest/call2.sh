#!/bin/bash
# Entry 377 (device), call 2: staged_probe.cu with its async_ll form (v summed by flagged words), its baselines (async,
# async_relaxed) in the same run. Usage (device): bash benchmarks/results/2026-12-06-s376-final-tree-rest/call2.sh
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
(cd benchmarks/stream && nvcc -O3 -arch=sm_90 -o /tmp/staged_probe staged_probe.cu 2>&1 | tail -3)
for run in 1 2; do
  timeout 150 /tmp/staged_probe > "$OUT/staged-probe-ll-$run.txt" 2>&1; echo "staged_probe rc=$?"
  cat "$OUT/staged-probe-ll-$run.txt"
done
