#!/bin/bash
# Entry 305 (device): the rank-8 gemv kernels' GPU tests and the one-launch tests that assert picks, then rank 8's
# one-row batches with the gemv kernel against without (dispatch_sweep GEMV=0,1: 0 is the picks before entry 305),
# 7 shapes, bf16 and fp16, medians of 2, on the installed wheel.
# Usage (device): bash benchmarks/results/2026-12-04-r8-gemv/call.sh dist_305
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
repo=$PWD
(cd tests && timeout 200 python3 -m pytest -q -p no:cacheprovider -x test_gpu_kernels.py -k "gemv" 2>&1 | tail -5;
 timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
   -k "gemv or one_row or wide_h_out or skewed or 17_31 or wide_h_in" 2>&1 | tail -15) > "$OUT/tests.txt" 2>&1
cat "$OUT/tests.txt"
for dt in bf16 fp16; do
  timeout 170 python3 benchmarks/dispatch_sweep.py "$OUT/sw_$dt" $dt GEMV=0,1 \
    --batches=4x1,8x1,12x1,16x1,20x1,28x1,36x1,42x1,64x1,80x1 --ranks=8 --repeat=2 --ops=add_lora \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,18944x3584,5120x13824,2048x2048 > "$OUT/sweep_$dt.txt" 2>&1
  tail -72 "$OUT/sweep_$dt.txt" | grep -v "^\[" | cut -c1-160
done
