#!/bin/bash
# Entry 372 (device): the kernels for packed calls on the flat grid. Tests: test_gpu_ops.py's packed tests and
# test_gpu_one_launch.py's `_flat_pk` cases; memcheck on the bf16 r64 flat packed kernel; then packed calls
# with rows in token order (lengths the host does not know) as the pair, one packed launch (the flat kernel from 64
# rows, PACKED_FLAT on), bf16.
# Usage (device): bash benchmarks/results/2026-12-05-s371-packed/call6.sh dist_xz_15
set -u
source benchmarks/device_setup.sh "$1" || exit 1
cd tests
timeout 150 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py test_gpu_one_launch.py \
  -k "packed or _flat_pk" > "$OUT/tests-flat-packed.txt" 2>&1
tail -1 "$OUT/tests-flat-packed.txt"
k=sgmv_fused_bf16_r64_hany_w4m16n256u2_v8_flat_pk
timeout 45 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_ops.py -k "packed_launch_of_each and $k and (tokens or ranks)" > "$OUT/memcheck-flat-packed.txt" 2>&1
echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck-flat-packed.txt" | tail -1) $(tail -1 "$OUT/memcheck-flat-packed.txt")"
cd ..
timeout 100 python3 benchmarks/slices_probe.py "$OUT/tokens-flat-bf16.json" --order=tokens \
  --variants="the pair,packed launch" --packs=gate_up,qkv,4096:1024+1024 --ranks=16,64 \
  --batches=64x8,128x8,256x16 > "$OUT/tokens-flat-bf16.log" 2>&1
tail -1 "$OUT/tokens-flat-bf16.log"
