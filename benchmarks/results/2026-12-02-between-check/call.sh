# NOTES entry 144 (prediction before measuring): entry 143's rule on batches it was not fitted to, against the rule
# before it, 115 cases a dtype, medians of 2, on a wheel of main at entry 143 (dist_new):
#   run(command="bash benchmarks/results/2026-12-02-between-check/call.sh", carry=["dist_new"])   (~1-2 min)
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_new/*.whl
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/new timeout 280 python3 benchmarks/results/2026-12-02-between-check/between_check.py $dt 2 \
    > "$OUT/between-check-$dt.txt" 2>&1
  tail -2 "$OUT/between-check-$dt.txt"
done
