# NOTES entry 153 (prediction before measuring): entry 151's rank-32 rule (PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK) on
# batches it was not fitted to, on dist_two (main at entry 149) with this tree's python/sgmv/*.py laid over it:
#   run(command="bash benchmarks/results/2026-12-02-two-waves-r32/call-check.sh", carry=["dist_two"])   (~1 min)
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_two/*.whl || exit 1
cp python/sgmv/*.py /tmp/new/sgmv/ && cp python/sgmv/bench/*.py /tmp/new/sgmv/bench/  # bench: plot.py's fix
batches=18x204,25x140,34x104,42x84,50x70,45x76
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/new timeout 100 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dt" $dt \
    PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK=0,32 --batches=$batches --ranks=32 --ops=add_lora --repeat=2 \
    > "$OUT/sweep-$dt.log" 2>&1
  echo "$dt rc=$?"
  mv "$OUT/sweep-$dt/PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK.txt" "$OUT/check-$dt.txt"
  mv "$OUT/sweep-$dt/PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK.json" "$OUT/check-$dt.json"
  rm -rf "$OUT/sweep-$dt"
done
