# Prepared for the next session (NOTES, "Where the time goes now"; write the entry's prediction first), on dist_s158
# (a wheel of main after entry 158):
#   run(command="bash benchmarks/results/2026-12-02-wider-over-pair/call.sh", carry=["dist_s158"])   (~3 min)
# HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=4,6 over the full sweep's decode batches still on the launch pair at
# 4096 -> 14336 (skewed bs64 at ranks 32-128: 5 column tiles a block; rank 8's distinct bs16 and skewed bs64 stay
# on the pair by HANDOFF_OVER_PAIR_MIN_RANK, shown as controls), both dtypes, twice in turn; and
# HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK=4,8 over the r128 batches 8 would give rank 128's own kernel (5-7 column tiles a
# block) instead of the rank split's halves (the worst: 4096 -> 14336 identical bs256, 23.2 us against 9.1).
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s158/*.whl || exit 1
export PYTHONPATH=/tmp/new
cases=$(printf 'h4096to14336_r%s_skewed_bs64,' 8 32 64 128)h4096to14336_r8_distinct_bs16_
r128=h14336to4096_r128_distinct_bs64,h4096_r128_distinct_bs64,h4096_r128_skewed_bs256,h8192_r128_skewed_bs64
r128=$r128,$(printf 'h4096to14336_r128_%s,' distinct_bs16_ identical_bs256 uniform_bs256)
r128=${r128%,}
for dt in bf16 fp16; do
  timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/s-$dt" $dt HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=4,6 --full \
    --cases="$cases" \
    --ops=add_lora --repeat=2 > "$OUT/wider-$dt.log" 2>&1
  echo "$dt rc=$?"; mv "$OUT/s-$dt/HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK.txt" "$OUT/wider-$dt.txt"; rm -rf "$OUT/s-$dt"
  timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/w-$dt" $dt HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK=4,8 --full \
    --cases="$r128" --ops=add_lora --repeat=2 > "$OUT/wide-r128-$dt.log" 2>&1
  echo "r128 $dt rc=$?"; mv "$OUT/w-$dt/HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK.txt" "$OUT/wide-r128-$dt.txt"
  rm -rf "$OUT/w-$dt"
done
(cd "$OUT" && tar czf all.tgz wide* && rm -f wide*)  # (few files come back: one archive)
