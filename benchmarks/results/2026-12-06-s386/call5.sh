#!/bin/bash
# Entry 388 (device), call 5: rank 128's 16-row fused tile also as 8 warps x 256 columns (B = dist_24: main at entry 387
# plus r128-w8-short-PROBE.patch) against A (dist_22, entry 387's build). B's GPU tests of the new kernels; racecheck
# of the bf16 plain one on its small tests and memcheck of the bf16 new kernels; A B B A over the full sweep's rank-128
# cases dispatch moves (distinct bs16, skewed, uniform, identical bs16-bs64: 24 of these 36 a dtype move); then
# test_gpu_one_launch.py on B (the suite's first part, for the case it is kept).
# Usage (device): bash benchmarks/results/2026-12-06-s386/call5.sh
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in 22 24; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_22 dist_24 "$OUT/ab" \
  "fused_bf16_r128_hany_w8m16 or fused_fp16_r128_hany_w8m16" \
  "r128_distinct_bs16_,r128_skewed,r128_uniform,r128_identical_bs16_,r128_identical_bs64" full
k=sgmv_fused_bf16_r128_hany_w8m16n256u1_v8
(cd tests && PYTHONPATH=/tmp/abq_B timeout 120 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused \
  python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "$k and not _flat and not _tb and \
  (two_column or (grid_handoff and 1032x1000-mixed) or (fused_shapes and 1032x1000-uniform))" 2>&1 | \
  grep -E "passed|failed|RACECHECK SUMMARY|Error" | tail -5) | tee "$OUT/racecheck-w8.txt"
(cd tests && PYTHONPATH=/tmp/abq_B timeout 120 compute-sanitizer --tool memcheck --report-api-errors no python3 -m \
  pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "fused_bf16_r128_hany_w8m16 and (1032x1000 or two_column \
  or share_the_workspace)" 2>&1 | grep -E "passed|failed|ERROR SUMMARY" | tail -3) | tee "$OUT/memcheck-w8.txt"
bash benchmarks/run_of_record.sh dist_24 suite-one-launch
