#!/bin/bash
# Entry 250, call 2: the low-rank handoff rules as dispatch_sweep A/Bs on the full-sweep cases whose kernel they
# change (rule-cases.txt, block-columns-cases.txt: from dispatch_picks on the wheel's manifest), both dtypes, medians
# of 3. The wheel is dist_250's (kernels and package); dispatch.py is the working tree's (the probe constants).
# Usage (device): bash benchmarks/results/2026-12-03-forced-twins/call2.sh dist_250
set -u
wheel_dir=$1
here=benchmarks/results/2026-12-03-forced-twins
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/rec/sgmv/dispatch.py
export PYTHONPATH=/tmp/rec
rule=$(paste -sd, $here/rule-cases.txt)
cols=$(paste -sd, $here/block-columns-cases.txt)
for dt in bf16 fp16; do
  python3 benchmarks/dispatch_sweep.py "$OUT/rule-$dt" $dt HANDOFF_LOW_RANK_MOST_BLOCKS=0,1,1 \
    --with=HANDOFF_TALL_MIN_RANK=0,0,32 --full --ops=add_lora --repeat=3 "--cases=$rule" > "$OUT/rule-$dt.log" 2>&1
  cp "$OUT/rule-$dt/HANDOFF_LOW_RANK_MOST_BLOCKS.txt" "$OUT/rule-$dt.txt"
  cp "$OUT/rule-$dt/HANDOFF_LOW_RANK_MOST_BLOCKS.json" "$OUT/rule-$dt.json"
  python3 benchmarks/dispatch_sweep.py "$OUT/cols-$dt" $dt FUSED_MAX_BLOCK_COLUMNS=1024,512 --full --ops=add_lora \
    --repeat=3 "--cases=$cols" > "$OUT/cols-$dt.log" 2>&1
  cp "$OUT/cols-$dt/FUSED_MAX_BLOCK_COLUMNS.txt" "$OUT/cols-$dt.txt"
  cp "$OUT/cols-$dt/FUSED_MAX_BLOCK_COLUMNS.json" "$OUT/cols-$dt.json"
done
cat "$OUT"/rule-*.txt "$OUT"/cols-*.txt
rm -rf "$OUT"/rule-bf16 "$OUT"/rule-fp16 "$OUT"/cols-bf16 "$OUT"/cols-fp16
ls "$OUT"
