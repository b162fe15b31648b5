#!/bin/bash
# Entry 396 (device), call 5: the split cap's rule as kept (whole-rank kernels only) against no cap on shapes no
# earlier call timed: 5120 -> 13824, 13824 -> 5120, 3072 -> 8192, 8192 -> 3072, 6144 -> 6144; one segment of 2-16 rows,
# ranks 32, 64, 128; bf16 then fp16, the two values in turn three times (medians of 3); each case checked against the
# float32 reference before it is timed. dist_C2 with this tree's dispatch.py over the installed one.
# Files: gpu-name.txt, HANDOFF_ONE_TILE_MAX_SPLITS-bf16.txt, -fp16.txt, sweep.tgz.
# Usage (device): bash benchmarks/results/2026-12-06-s396/call5.sh   (carry dist_xz_C2)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_C2 ] || python3 benchmarks/wheel_xz.py unpack dist_xz_C2 dist_C2 > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_C2/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
cd /tmp && rm -rf /tmp/ab5
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/site timeout 270 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab5/$dt $dt \
    HANDOFF_ONE_TILE_MAX_SPLITS=65535,64 --repeat=3 --ops=add_lora --batches=1x2,1x3,1x4,1x6,1x8,1x12,1x16 \
    --shapes=5120x13824,13824x5120,3072x8192,8192x3072,6144x6144 --ranks=32,64,128 \
    > /tmp/ab5-$dt.log 2>&1 || echo "sweep $dt failed: $(tail -3 /tmp/ab5-$dt.log)"
  cp /tmp/ab5/$dt/HANDOFF_ONE_TILE_MAX_SPLITS.txt "$OUT/HANDOFF_ONE_TILE_MAX_SPLITS-$dt.txt" 2>/dev/null
done
tar -czf "$OUT/sweep.tgz" -C /tmp ab5 ab5-bf16.log ab5-fp16.log
