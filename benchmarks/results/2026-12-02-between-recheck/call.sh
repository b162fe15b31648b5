# NOTES entry 145 (prediction before measuring), then the whole GPU suite, on a wheel of main at entry 144 (dist_new):
#   run(command="bash benchmarks/results/2026-12-02-between-recheck/call.sh", carry=["dist_new"])   (~8 min)
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_new/*.whl
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/new timeout 150 python3 benchmarks/results/2026-12-02-between-recheck/between_recheck.py $dt 2 \
    > "$OUT/between-recheck-$dt.txt" 2>&1
  tail -1 "$OUT/between-recheck-$dt.txt"
done
bash benchmarks/run_of_record.sh dist_new suite
