#!/bin/bash
# Entry 398 (device), call 9: HANDOFF_TILE_BARRIER_TALL_MIN_TILES 16 (as main before) against 9 (this tree's
# dispatch.py over dist_E's): the 32-row tiles' launches of 9-15 row tiles on the barrier per row tile, on five shapes
# no call timed for it (2560 <-> 6912, h7168, 4096 <-> 12288); one adapter over 288-512 rows, 2 x 160, 3 x 144; ranks
# 8-64; bf16, then fp16 while time is left; medians of 3, each case checked before timing.
# Files: gpu-name.txt, HANDOFF_TILE_BARRIER_TALL_MIN_TILES-DTYPE.txt, sweep.tgz
# Usage (device): bash benchmarks/results/2026-12-06-s398/call9.sh   (carry dist_xz_E)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_E/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
cd /tmp && rm -rf /tmp/ab
sweep() {  # dtype, ranks, seconds
  PYTHONPATH=/tmp/site timeout "$3" python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/$1 $1 \
    HANDOFF_TILE_BARRIER_TALL_MIN_TILES=16,9 --repeat=3 --ops=add_lora --batches=1x288,1x320,1x384,1x448,1x512,2x160,3x144 \
    --shapes=2560x6912,6912x2560,7168x7168,4096x12288,12288x4096 --ranks="$2" \
    > /tmp/ab-$1.log 2>&1 || echo "sweep $1 failed: $(tail -n 3 /tmp/ab-$1.log)"
  cp /tmp/ab/$1/HANDOFF_TILE_BARRIER_TALL_MIN_TILES.txt "$OUT/HANDOFF_TILE_BARRIER_TALL_MIN_TILES-$1.txt"
}
sweep bf16 8,16,32,64 90
sweep fp16 16,64 50
rm -f /tmp/ab/*/*/plot.png
tar -czf "$OUT/sweep.tgz" -C /tmp ab ab-bf16.log ab-fp16.log
