#!/bin/bash
# Entry 285: the gemv kernel reading the batch tables before its wait for the previous kernel (p.tables_ready) and
# waiting right before its first loads. A = head's wheel (dist_286), B = the change's (dist_287).
# Usage (device): bash benchmarks/results/2026-12-04-gemv-early-tables/call.sh dist_286 dist_287
# 1. B's gemv tests (every gemv kernel's shapes and layouts, the new tables and chain tests, the tables test of
#    test_gpu_ops.py); 2. add_lora A B B A on the full sweep's r16 distinct bs16 cases (the eight gemv picks) and the
#    r16 distinct bs1 cases (fused kernel: controls), both dtypes; 3. one-row batches of 8, 12, 32 and 48 segments
#    (other gemv picks: 8-warp clusters) at 4096 and 8192, bf16, A then B then A then B.
set -u
a=$1 b=$2
bash benchmarks/ab_quick_builds.sh "$a" "$b" "$OUT" "gemv or tables" "r16_distinct_bs16,r16_distinct_bs1_" full
run=0
for wheel in "$a" "$b" "$a" "$b"; do
  run=$((run + 1))
  rm -rf /tmp/seg && python3 -m pip install -q --no-deps --no-index --target /tmp/seg "$wheel"/*.whl
  PYTHONPATH=/tmp/seg timeout 100 python3 benchmarks/dispatch_sweep.py "$OUT/segs-$run-$wheel" bf16 GEMV=1 \
    --batches=8x1,12x1,32x1,48x1 --shapes=4096x4096,8192x8192 --ranks=16 2>&1 | tail -12 > "$OUT/segs-$run-$wheel.txt"
done
ls "$OUT"
