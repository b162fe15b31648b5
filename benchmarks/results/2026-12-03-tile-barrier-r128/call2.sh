#!/bin/bash
# Entry 257: the rank-128 threshold of the barrier per row tile (HANDOFF_TILE_BARRIER_WIDE_MIN_TILES, 16 = before,
# 4 = the rule) on the 19 full-sweep cases a dtype it moves (moved-cases.txt, from dispatch_picks on the 468-kernel
# manifest), both dtypes, medians of 3 interleaved. Kernels and package from the wheel (dist_253: its kernels are
# this tree's); dispatch.py is the working tree's.
# Usage (device): bash benchmarks/results/2026-12-03-tile-barrier-r128/call2.sh dist_253
set -u
wheel_dir=$1
here=benchmarks/results/2026-12-03-tile-barrier-r128
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/rec/sgmv/dispatch.py
export PYTHONPATH=/tmp/rec
cases=$(paste -sd, $here/moved-cases.txt)
for dt in bf16 fp16; do
  python3 benchmarks/dispatch_sweep.py "$OUT/w-$dt" $dt HANDOFF_TILE_BARRIER_WIDE_MIN_TILES=16,4 --full \
    --ops=add_lora --repeat=3 "--cases=$cases" > "$OUT/wide-$dt.log" 2>&1
  cp "$OUT/w-$dt/HANDOFF_TILE_BARRIER_WIDE_MIN_TILES.txt" "$OUT/wide-$dt.txt"
  cp "$OUT/w-$dt/HANDOFF_TILE_BARRIER_WIDE_MIN_TILES.json" "$OUT/wide-$dt.json"
  rm -rf "$OUT/w-$dt"
done
cat "$OUT"/wide-*.txt
