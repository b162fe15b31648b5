#!/bin/bash
# Entry 282: 16 one-row segments at rank 16 on the 4-warp gemv kernel in clusters of 4 against clusters of 8 (dispatch's
# pick), as a dispatch_sweep A/B of the probe constant one_launch.GEMV_HALF_NARROW_MAX_BYTES (0: off; 409600: clusters
# of 4 wherever they fill 45% of the SMs), at 11 shapes, both dtypes, medians of 3. The wheel is dist_275's (kernels and
# package); one_launch.py is the working tree's (the probe constant).
# Usage (device): bash benchmarks/results/2026-12-04-gemv-narrow/call.sh dist_275
set -u
wheel_dir=$1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/rec/sgmv/one_launch.py
export PYTHONPATH=/tmp/rec
shapes=2048x2048,3072x3072,3584x3584,4096x4096,5120x5120,6144x6144,8192x8192,14336x4096,8192x4096,4096x8192,2048x8192
for dt in bf16 fp16; do
  python3 benchmarks/dispatch_sweep.py "$OUT/narrow-$dt" $dt GEMV_HALF_NARROW_MAX_BYTES=0,409600 --ops=add_lora \
    --repeat=3 --batches=16x1 --shapes=$shapes --ranks=16 > "$OUT/narrow-$dt.log" 2>&1
  cp "$OUT/narrow-$dt/GEMV_HALF_NARROW_MAX_BYTES.txt" "$OUT/narrow-$dt.txt"
  cp "$OUT/narrow-$dt/GEMV_HALF_NARROW_MAX_BYTES.json" "$OUT/narrow-$dt.json"
  rm -rf "$OUT/narrow-$dt"
done
cat "$OUT"/narrow-*.txt
