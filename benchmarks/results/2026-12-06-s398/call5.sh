#!/bin/bash
# Entry 398 (device), call 5: fused_sweep over the quick sweep's cases the s392 record missed (bf16): dispatch's pick
# against every compiled one-launch kernel of the rank, forced, on dist_E: does any beat the pick on a miss?
# Files: gpu-name.txt, misses-bf16.json, misses-bf16.log
# Usage (device): bash benchmarks/results/2026-12-06-s398/call5.sh   (carry dist_xz_E)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_E/*.whl || exit 1
cases=h8192_r64_identical_bs256,h4096_r64_identical_bs256,h8192_r64_distinct_bs16_,h8192_r64_uniform_bs256
cases=$cases,h8192_r16_distinct_bs64,h8192_r16_identical_bs256,h8192_r64_identical_bs64_,h4096_r16_distinct_bs256
cases=$cases,h4096_r64_uniform_bs256,h8192_r16_uniform_bs256,h4096_r64_distinct_bs16_,h4096_r64_distinct_bs64
cd /tmp && PYTHONPATH=/tmp/site timeout 420 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/misses-bf16.json" bf16 \
  "$cases" quick 2>&1 | tail -150 > "$OUT/misses-bf16.log"
