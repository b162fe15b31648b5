#!/bin/bash
# Entry 382 (device), call 5: rank 128's column tiles in one body of expand code. B (dist_18, the change's default
# build) against A (dist_17, 8e56e92's): B's GPU tests of the 20 changed kernels (the rank-128 fused kernels, both
# dtypes), then the A B B A bench runs over the full sweep's rank-128 identical and uniform cases (ab_quick_builds.sh).
# Usage (device): bash benchmarks/results/2026-12-06-s379-record/call5.sh
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in 17 18; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_17 dist_18 "$OUT/ab" "fused_bf16_r128 or fused_fp16_r128" \
  "r128_identical,r128_uniform" full
