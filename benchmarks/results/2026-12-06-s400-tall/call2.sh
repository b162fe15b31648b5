#!/bin/bash
# Entry 401 (device), call 2, on dist_F with this tree's dispatch.py copied over the wheel's:
# HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES 10 against 8 and 5: the 32-row 512-column tile's barrier per row tile on
# launches whose blocks hold two or more column tiles, one adapter over 160-288 rows (5-9 row tiles), six shapes no
# call has timed, ranks 16-64 bf16, three shapes at ranks 16 and 64 fp16; medians of 3; every case checked against
# the float32 reference before timing.
# Files: gpu-name.txt, shared-DTYPE.txt (the tables), sweep.tgz
# Usage (device): bash benchmarks/results/2026-12-06-s400-tall/call2.sh   (carry dist_xz_F)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_F ] || python3 benchmarks/wheel_xz.py unpack dist_xz_F dist_F > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_F/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
cd /tmp && rm -rf /tmp/ab && mkdir -p /tmp/ab
sweep() {  # dtype, seconds, shapes, ranks
  PYTHONPATH=/tmp/site timeout "$2" python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/shared-$1 $1 \
    HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES=10,8,5 --repeat=3 --ops=add_lora \
    --batches=1x160,1x200,1x240,1x256,1x288 --shapes="$3" --ranks="$4" > /tmp/ab/shared-$1.log 2>&1 \
    || echo "sweep $1 failed: $(tail -n 3 /tmp/ab/shared-$1.log)"
  cp /tmp/ab/shared-$1/*.txt "$OUT/shared-$1.txt"
}
sweep bf16 300 3072x12288,2560x10240,3584x14336,7168x14336,8192x16384,3584x18944 16,32,64
sweep fp16 120 3072x12288,7168x14336,3584x18944 16,64
rm -f /tmp/ab/*/*/plot.png
tar -czf "$OUT/sweep.tgz" -C /tmp ab
