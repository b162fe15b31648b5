#!/bin/bash
# Entry 386 (device), call 1. Always: entry 384's rolled chunk loop at rank 128 (B = dist_20, the default build with
# -DSGMV_PROBE_ROLLED_EXPAND) against A (dist_17, 5d21b80's default build = 8e56e92's kernels): B's GPU tests of the 20
# rank-128 fused kernels, then A B B A over the full sweep's rank-128 identical and uniform cases. Then, on an H200
# only, the run of record of the final tree (dist_17): the quick and the full sweep (run_of_record.sh).
# Usage (device): bash benchmarks/results/2026-12-06-s386/call1.sh
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in 17 20; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_17 dist_20 "$OUT/ab" "fused_bf16_r128 or fused_fp16_r128" \
  "r128_identical,r128_uniform" full
grep -q H200 "$OUT/gpu-name.txt" || { echo "not an H200: no run of record"; exit 0; }
mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_17 quick full
