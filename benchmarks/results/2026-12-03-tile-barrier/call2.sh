#!/usr/bin/env bash
# NOTES entry 249, second call: the barrier per row tile (HANDOFF_TILE_BARRIER_MIN_TILES 16) against none on every
# full-sweep case whose launch takes it (tb-cases.txt: dispatch_picks on the wheel's manifest, 44 a dtype), both
# dtypes, medians of 3. The wheel as call.sh's, carried packed (benchmarks/wheel_xz.py):
#   run(command="python3 benchmarks/wheel_xz.py unpack dist_249x dist_249 &&
#                bash benchmarks/results/2026-12-03-tile-barrier/call2.sh dist_249", carry=["dist_249x"])
set -o pipefail
wheel_dir=$1
repo=$PWD
here=$repo/benchmarks/results/2026-12-03-tile-barrier
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/w
cd /tmp
for dt in bf16 fp16; do
  timeout 280 python3 "$repo/benchmarks/dispatch_sweep.py" "$OUT/full-$dt" $dt HANDOFF_TILE_BARRIER_MIN_TILES=1000000,16 \
    --full --repeat=3 --ops=add_lora --cases="$(cat "$here/tb-cases.txt")" > "$OUT/full-$dt.txt" 2>&1
  tail -46 "$OUT/full-$dt.txt"
done
