#!/bin/bash
# Entry 387 (device), call 2: rank 128's 32-row fused tile as 8 warps x 256 columns, one block an SM, the shrink in
# rank halves (B = dist_22: codegen's FUSED_NARROW_TALL_RANKS tiles plus w8m32n256u2; r128-w8-tall-PROBE.patch)
# against A (dist_17). B's GPU tests of the new kernels; racecheck of the bf16 one on its small tests (as
# run_of_record.sh's sanitize-fused); A B B A over the full sweep's rank-128 identical cases (dispatch moves exactly
# the 4 bs256 ones a dtype) with rank 64's identical bs256 as controls. Then, on an H200 only, the run of record of
# dist_17 (quick and full sweeps).
# Usage (device): bash benchmarks/results/2026-12-06-s386/call2.sh
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in 17 22; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
mkdir -p "$OUT/ab"
bash benchmarks/ab_quick_builds.sh dist_17 dist_22 "$OUT/ab" \
  "fused_bf16_r128_hany_w8m32 or fused_fp16_r128_hany_w8m32" "r128_identical,r64_identical_bs256" full
k=sgmv_fused_bf16_r128_hany_w8m32n256u2_v8
(cd tests && PYTHONPATH=/tmp/abq_B timeout 120 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused \
  python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "$k and not _flat and not _tb and \
  (two_column or (grid_handoff and 1032x1000-mixed) or (fused_shapes and 1032x1000-uniform))" 2>&1 | \
  grep -E "passed|failed|RACECHECK SUMMARY|Error" | tail -5) | tee "$OUT/racecheck-w8.txt"
(cd tests && PYTHONPATH=/tmp/abq_B timeout 120 compute-sanitizer --tool memcheck --report-api-errors no python3 -m \
  pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "fused_bf16_r128_hany_w8m32 and (1032x1000 or two_column \
  or share_the_workspace)" 2>&1 | grep -E "passed|failed|ERROR SUMMARY" | tail -3) | tee "$OUT/memcheck-w8.txt"
grep -q H200 "$OUT/gpu-name.txt" || { echo "not an H200: no run of record"; exit 0; }
mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_17 quick full
