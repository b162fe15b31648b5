#!/bin/bash
# Entry 398 (device), call 8: HANDOFF_TILE_BARRIER_MIN_TILES 16 (main), 12 and 9 on launches of 9-15 row tiles (one
# adapter over 144-480 rows; 2-14 segments of 16-80 rows), six shapes (five no call timed for it, and h8192), ranks 8-64,
# bf16 (and fp16 on a subset while time is left), medians of 3, on dist_E; each case checked before timing.
# Files: gpu-name.txt, HANDOFF_TILE_BARRIER_MIN_TILES-DTYPE.txt, sweep.tgz
# Usage (device): bash benchmarks/results/2026-12-06-s398/call8.sh   (carry dist_xz_E)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_E/*.whl || exit 1
cd /tmp && rm -rf /tmp/ab
batches=1x144,1x176,1x208,1x240,1x288,1x352,1x416,1x480,2x80,3x64,4x48,6x32,9x16,12x16,14x16
sweep() {  # dtype, shapes, ranks, seconds
  PYTHONPATH=/tmp/site timeout "$4" python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/$1 $1 \
    HANDOFF_TILE_BARRIER_MIN_TILES=16,12,9 --repeat=3 --ops=add_lora --batches=$batches --shapes="$2" --ranks="$3" \
    > /tmp/ab-$1.log 2>&1 || echo "sweep $1 failed: $(tail -3 /tmp/ab-$1.log)"
  cp /tmp/ab/$1/HANDOFF_TILE_BARRIER_MIN_TILES.txt "$OUT/HANDOFF_TILE_BARRIER_MIN_TILES-$1.txt"
}
sweep bf16 3072x8192,8192x3072,5120x5120,4096x11008,11008x4096,8192x8192 8,16,32,64 220
sweep fp16 5120x5120,4096x11008,8192x8192 16,64 100
rm -f /tmp/ab/*/*/plot.png
tar -czf "$OUT/sweep.tgz" -C /tmp ab ab-bf16.log ab-fp16.log
