# NOTES entry 142 (prediction before measuring): batches of 9-31 rows in every segment on the prefill kernel's 16-row
# tile (limit 32 rows a segment) against the launch pair (limit 8, today), 56 cases a dtype, medians of 2, on the
# wheel dist_head (main at 8828f4c):
#   run(command="bash benchmarks/results/2026-12-02-mid-rows/call.sh", carry=["dist_head"])   (~1 min)
rm -rf /tmp/head && python3 -m pip install -q --no-deps --no-index --target /tmp/head dist_head/*.whl
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/head timeout 270 python3 benchmarks/results/2026-12-02-mid-rows/mid_rows.py $dt 2 \
    > "$OUT/mid-rows-$dt.txt" 2>&1
  tail -2 "$OUT/mid-rows-$dt.txt"
done
