#!/bin/bash
# Entry 396 (device), call 4: A/B of the one-row-tile split cap (dispatch.HANDOFF_ONE_TILE_MAX_SPLITS: 65535 = none,
# main's picks; 64 = the rule) over one segment of 1-16 rows and two of 8, seven shapes, ranks 32, 48, 64, 96 and 128,
# bf16, the two values in turn three times (medians of 3); each case checked against the float32 reference by the bench
# before it is timed. Main's default build (dist_C2) with this tree's dispatch.py over the installed one.
# Files: gpu-name.txt, HANDOFF_ONE_TILE_MAX_SPLITS.txt, sweep.tgz.
# Usage (device): bash benchmarks/results/2026-12-06-s396/call4.sh   (carry dist_xz_C2)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_C2 ] || python3 benchmarks/wheel_xz.py unpack dist_xz_C2 dist_C2 > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_C2/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
cd /tmp && rm -rf /tmp/ab
PYTHONPATH=/tmp/site timeout 540 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab bf16 \
  HANDOFF_ONE_TILE_MAX_SPLITS=65535,64 --repeat=3 --ops=add_lora --batches=1x1,1x2,1x3,1x4,1x6,1x8,1x12,1x16,2x8 \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,5120x5120,3584x18944,18944x3584 --ranks=32,48,64,96,128 \
  > /tmp/ab.log 2>&1 || echo "sweep failed: $(tail -3 /tmp/ab.log)"
cp /tmp/ab/HANDOFF_ONE_TILE_MAX_SPLITS.txt "$OUT/" 2>/dev/null
tar -czf "$OUT/sweep.tgz" -C /tmp ab ab.log
