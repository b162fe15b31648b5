#!/bin/bash
# Entry 291's check of the shipped rule (device): dist_287's kernels with this tree's one_launch.py (the only Python
# file that differs), the gemv and one-row tests of test_gpu_one_launch.py, then dispatch_sweep
# GEMV_OVER_PREFILL_MAX_ROUNDS=0,1 on 60-66 one-row segments at shapes with h_out up to 4096 that the probe did not
# time, bf16 and fp16.
# Usage (device): bash benchmarks/results/2026-12-04-gemv-64/call2.sh dist_287
set -u
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/site/sgmv/one_launch.py
(cd tests && PYTHONPATH=/tmp/site timeout 300 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "gemv or one_row" 2>&1 | tail -2) | tee "$OUT/tests.txt"
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/site timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/more-$dt" $dt GEMV_OVER_PREFILL_MAX_ROUNDS=0,1 \
    --batches=60x1,64x1,66x1 --ranks=16 --repeat=2 --ops=add_lora \
    --shapes=2048x4096,3584x3584,18944x2048,5120x2048,3584x4096,14336x2048,5120x4096 > "$OUT/more-$dt.txt" 2>&1
  tail -22 "$OUT/more-$dt.txt" | awk '{print $2, $3, $4, $5}'
done
