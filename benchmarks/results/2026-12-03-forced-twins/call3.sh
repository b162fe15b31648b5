#!/bin/bash
# Entry 250, call 3: HANDOFF_TILE_BARRIER_MOST_BLOCKS 0 against 1 on the 18 full-sweep cases a dtype the kept rule
# moves (changed-cases.txt, dispatch_picks against d908b6e), both dtypes, medians of 5, on head's wheel.
# Usage (device): bash benchmarks/results/2026-12-03-forced-twins/call3.sh dist_251
set -u
wheel_dir=$1
here=benchmarks/results/2026-12-03-forced-twins
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cases=$(paste -sd, $here/changed-cases.txt)
for dt in bf16 fp16; do
  python3 benchmarks/dispatch_sweep.py "/tmp/most-$dt" $dt HANDOFF_TILE_BARRIER_MOST_BLOCKS=0,1 --full --ops=add_lora \
    --repeat=5 "--cases=$cases" > "/tmp/most-$dt.log" 2>&1 || tail -5 "/tmp/most-$dt.log"
  cp "/tmp/most-$dt/HANDOFF_TILE_BARRIER_MOST_BLOCKS.txt" "$OUT/most-$dt.txt"
  cp "/tmp/most-$dt/HANDOFF_TILE_BARRIER_MOST_BLOCKS.json" "$OUT/most-$dt.json"
done
cat "$OUT"/most-*.txt
