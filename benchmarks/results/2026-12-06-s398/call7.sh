#!/bin/bash
# Entry 398 (device), call 7: HANDOFF_TILE_BARRIER_MIN_TILES 16 (main) against 8: launches of 8-15 row tiles (one
# adapter over 128-511 rows, two over 256, eight segments of 16-32 rows) on the variant whose blocks wait for their own
# row tile only; seven shapes (three no call timed for it), ranks 16-64, bf16, medians of 3, on dist_E; each case
# checked against the float32 reference before timing.
# Files: gpu-name.txt, HANDOFF_TILE_BARRIER_MIN_TILES-bf16.txt, sweep.tgz
# Usage (device): bash benchmarks/results/2026-12-06-s398/call7.sh   (carry dist_xz_E)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_E/*.whl || exit 1
cd /tmp && rm -rf /tmp/ab
PYTHONPATH=/tmp/site timeout 400 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/bf16 bf16 \
  HANDOFF_TILE_BARRIER_MIN_TILES=16,8 --repeat=3 --ops=add_lora --batches=1x128,1x192,1x256,1x384,2x128,8x16,8x32 \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,5120x13824,13824x5120,6144x6144 --ranks=16,32,64 \
  > /tmp/ab-bf16.log 2>&1 || echo "sweep failed: $(tail -3 /tmp/ab-bf16.log)"
cp /tmp/ab/bf16/HANDOFF_TILE_BARRIER_MIN_TILES.txt "$OUT/HANDOFF_TILE_BARRIER_MIN_TILES-bf16.txt"
rm -f /tmp/ab/bf16/*/plot.png
tar -czf "$OUT/sweep.tgz" -C /tmp ab ab-bf16.log
