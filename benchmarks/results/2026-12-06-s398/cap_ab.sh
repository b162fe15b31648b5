#!/bin/bash
# The split cap of entry 396 (HANDOFF_ONE_TILE_MAX_SPLITS=64) against no cap (65535), dispatch_sweep's two values in
# turn three times (medians of 3), over one segment of 2-16 rows at ranks 32, 64 and 128, on dist_E's installed wheel.
# Usage (device): bash cap_ab.sh SHAPES DTYPES SECONDS_A_DTYPE  -> $OUT/HANDOFF_ONE_TILE_MAX_SPLITS-DTYPE.txt, sweep.tgz
set -u
repo=$PWD
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_E/*.whl || exit 1
cd /tmp && rm -rf /tmp/ab
for dt in ${2//,/ }; do
  PYTHONPATH=/tmp/site timeout "$3" python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/$dt $dt \
    HANDOFF_ONE_TILE_MAX_SPLITS=65535,64 --repeat=3 --ops=add_lora --batches=1x2,1x3,1x4,1x6,1x8,1x12,1x16 \
    --shapes="$1" --ranks=32,64,128 > /tmp/ab-$dt.log 2>&1 || echo "sweep $dt failed: $(tail -3 /tmp/ab-$dt.log)"
  cp /tmp/ab/$dt/HANDOFF_ONE_TILE_MAX_SPLITS.txt "$OUT/HANDOFF_ONE_TILE_MAX_SPLITS-$dt.txt" 2>/dev/null
done
tar -czf "$OUT/sweep.tgz" -C /tmp ab ab-*.log
