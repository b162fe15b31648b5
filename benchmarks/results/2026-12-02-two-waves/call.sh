# NOTES entry 149 (prediction before measuring): the 16-row prefill tile in two waves at ranks up to 16, on a wheel of
# main's head (dist_head, SASS as entry 138's) with this tree's python/sgmv/*.py laid over it (dispatch.py's new
# constant; the rest identical to the wheel's):
#   run(command="bash benchmarks/results/2026-12-02-two-waves/call.sh", carry=["dist_head"])   (~3 min)
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_head/*.whl || exit 1
cp python/sgmv/*.py /tmp/new/sgmv/
export PYTHONPATH=/tmp/new
(cd tests && python3 -m pytest -q -p no:cacheprovider test_bench.py -k dispatch_sweep 2>&1 | tail -3) \
  | tee "$OUT/test-dispatch-sweep.txt"
batches=10x100,12x84,9x116,4x264,24x40,26x36,14x264,17x200,23x152,24x136
for dt in bf16 fp16; do
  timeout 250 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dt" $dt PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK=0,16 \
    --batches=$batches --ranks=8,16,32 --ops=add_lora --repeat=2 > "$OUT/sweep-$dt.log" 2>&1
  echo "$dt rc=$?"; cp "$OUT/sweep-$dt/PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK.txt" "$OUT/two-waves-$dt.txt"
done
