# NOTES entry 151 (prediction before measuring): rank 32's 16-row prefill tile in two waves against its 64-row tile,
# on dist_two (a wheel of main at entry 149):
#   run(command="bash benchmarks/results/2026-12-02-two-waves-r32/call.sh", carry=["dist_two"])   (~2 min)
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_two/*.whl || exit 1
batches=14x264,17x200,23x152,24x136,24x40,25x38,26x36,27x134,28x36,36x100,40x88,48x72
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/new timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dt" $dt \
    PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK=16,32 --batches=$batches --ranks=32 --ops=add_lora --repeat=2 \
    > "$OUT/sweep-$dt.log" 2>&1
  echo "$dt rc=$?"
  mv "$OUT/sweep-$dt/PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK.txt" "$OUT/r32-$dt.txt"
  mv "$OUT/sweep-$dt/PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK.json" "$OUT/r32-$dt.json"
  rm -rf "$OUT/sweep-$dt"
done
