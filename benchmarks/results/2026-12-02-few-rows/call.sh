# NOTES entry 140 (prediction before measuring): batches of 3-8 rows in every segment on the prefill kernel's 16-row
# tile (PREFILL_SKEWED_MIN_LONGEST_ROWS 0) against the launch pair (17, today), 40 cases a dtype, medians of 2, on a
# wheel of main's head (`pip wheel -q --no-deps -w dist_head .`; its python must equal python/):
#   run(command="bash benchmarks/results/2026-12-02-few-rows/call.sh", carry=["dist_head"])   (~2-3 min)
rm -rf /tmp/head && python3 -m pip install -q --no-deps --no-index --target /tmp/head dist_head/*.whl
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/head timeout 240 python3 benchmarks/results/2026-12-02-few-rows/few_rows.py $dt 2 \
    > "$OUT/few-rows-$dt.txt" 2>&1
  tail -41 "$OUT/few-rows-$dt.txt"
done
