# NOTES entries 136 and 137 together (branch wip/next: main + wip/flat-kernels + wip/rank8-prefill; its default wheel
# dist_next, built with `pip wheel -q --no-deps -w dist_next .`, has main's 394 kernels byte for byte and the 18 _flat
# ones) against main's dist_Z, in one device call of ~350 s:
#   run(command="bash benchmarks/results/2026-12-02-next/call.sh", carry=["dist_Z", "dist_next"])
# 1. the GPU tests of what changed on dist_next (every fused kernel's, the handoff's, skewed batches, rank 8);
# 2. the full sweep's skewed cases A B B A, both dtypes (entry 136);
# 3. the full sweep's rank-8 cases with PADDED_PREFILL 0 and 1 in turn, twice, both dtypes (entry 137).
# Then, before it lands, the whole GPU suite on dist_next (~330 s):
#   run(command="bash benchmarks/run_of_record.sh dist_next suite", carry=["dist_next"])
bash benchmarks/ab_quick_builds.sh dist_Z dist_next "$OUT" \
  "fused or handoff or skewed or rank_8" "skewed" full
cp /tmp/abq/B1/results.csv "$OUT/skewed-B1-results.csv"; cp /tmp/abq/A1/results.csv "$OUT/skewed-A1-results.csv"
rm -rf /tmp/nx && python3 -m pip install -q --no-deps --no-index --target /tmp/nx dist_next/*.whl
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/nx timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/r8-$dt" $dt PADDED_PREFILL=0,1 --full \
    --cases=_r8_ --ops=add_lora --repeat=2 > "$OUT/r8-$dt.txt" 2>&1; tail -3 "$OUT/r8-$dt.txt"
done
