# NOTES entries 156-157 (predictions before measuring), on dist_s155 (a wheel of main after entry 155):
#   run(command="bash benchmarks/results/2026-12-02-handoff-reach/call.sh", carry=["dist_s155"])   (~4 min)
# 156: FUSED_MAX_BLOCKS=64,0 over the r8/r16 batches the cluster sum runs (0: the grid handoff runs them all).
# 157: HANDOFF_MAX_TILES_PER_BLOCK=2,3,4 over pair-cases.txt: the full sweep's batches at ranks 8-128 that run as the
#      launch pair, or that 4 tiles a block would move (dispatch_picks.py with the constant at 2 and 4).
set -o pipefail
here=benchmarks/results/2026-12-02-handoff-reach
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s155/*.whl || exit 1
export PYTHONPATH=/tmp/new
cluster=$(for r in 8 16; do for b in distinct_bs1_ identical_bs16_ identical_bs64_ uniform_bs16_ uniform_bs64_ \
  skewed_bs16_; do printf '_r%s_%s,' $r $b; done; done)
pairs=$(paste -sd, $here/pair-cases.txt)
for dt in bf16 fp16; do
  timeout 250 python3 benchmarks/dispatch_sweep.py "$OUT/a-$dt" $dt FUSED_MAX_BLOCKS=64,0 --full \
    --cases="${cluster%,}" --ops=add_lora --repeat=2 > "$OUT/a-$dt.log" 2>&1
  echo "a $dt rc=$?"; mv "$OUT/a-$dt/FUSED_MAX_BLOCKS.txt" "$OUT/cluster-sum-$dt.txt"
  mv "$OUT/a-$dt/FUSED_MAX_BLOCKS.json" "$OUT/cluster-sum-$dt.json"
  timeout 250 python3 benchmarks/dispatch_sweep.py "$OUT/b-$dt" $dt HANDOFF_MAX_TILES_PER_BLOCK=2,3,4 --full \
    --cases="$pairs" --ops=add_lora --repeat=2 > "$OUT/b-$dt.log" 2>&1
  echo "b $dt rc=$?"; mv "$OUT/b-$dt/HANDOFF_MAX_TILES_PER_BLOCK.txt" "$OUT/tiles-$dt.txt"
  mv "$OUT/b-$dt/HANDOFF_MAX_TILES_PER_BLOCK.json" "$OUT/tiles-$dt.json"
  rm -rf "$OUT/a-$dt" "$OUT/b-$dt"
done
