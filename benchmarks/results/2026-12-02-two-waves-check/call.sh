# NOTES entry 150 (prediction before measuring): entry 149's rule on batches it was not fitted to, then the whole GPU
# suite, on a wheel of main at entry 149 (dist_two):
#   run(command="bash benchmarks/results/2026-12-02-two-waves-check/call.sh", carry=["dist_two"])   (~8 min)
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_two/*.whl || exit 1
batches=8x132,14x70,18x54,7x148,40x88,48x72,36x100,27x134,28x36,25x38
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/new timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dt" $dt \
    PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK=0,16 --batches=$batches --ranks=8,16,32 --ops=add_lora --repeat=2 \
    > "$OUT/sweep-$dt.log" 2>&1
  echo "$dt rc=$?"
  mv "$OUT/sweep-$dt/PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK.txt" "$OUT/check-$dt.txt"
  mv "$OUT/sweep-$dt/PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK.json" "$OUT/check-$dt.json"
  rm -rf "$OUT/sweep-$dt"
done
bash benchmarks/run_of_record.sh dist_two suite
