# NOTES entry 137: rank 8's prefill batches on rank 16's prefill kernel for true ranks (branch wip/rank8-prefill;
# Python only: its default wheel dist_r8, built with `pip wheel -q --no-deps -w dist_r8 .`, has main's kernels byte
# for byte): the new GPU test and the one-launch and ops tests on dist_r8, then the full sweep's rank-8 cases with
# PADDED_PREFILL 0 and 1 in turn, twice, both dtypes. ~250 s:
#   run(command="bash benchmarks/results/2026-12-02-rank8-prefill/call.sh", carry=["dist_r8"])
rm -rf /tmp/r8 && python3 -m pip install -q --no-deps --no-index --target /tmp/r8 dist_r8/*.whl
(cd tests && PYTHONPATH=/tmp/r8 timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  test_gpu_ops.py -k "rank_8 or add_lora" 2>&1 | grep -v "^  " | tail -3) > "$OUT/gpu-tests.txt"; tail -1 "$OUT/gpu-tests.txt"
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/r8 timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dt" $dt PADDED_PREFILL=0,1 --full \
    --cases=_r8_ --ops=add_lora --repeat=2 > "$OUT/sweep-$dt.txt" 2>&1; tail -3 "$OUT/sweep-$dt.txt"
done
