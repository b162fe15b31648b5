# NOTES entry 143 (prediction before measuring): batches of 32-1024 rows a segment in 2-32 segments on the launch
# pair (today), the 16-row tile and the 64-row tile, 64 cases a dtype, medians of 2, on the wheel dist_head:
#   run(command="bash benchmarks/results/2026-12-02-mid-prefill/call.sh", carry=["dist_head"])   (~2-4 min)
rm -rf /tmp/head && python3 -m pip install -q --no-deps --no-index --target /tmp/head dist_head/*.whl
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/head timeout 280 python3 benchmarks/results/2026-12-02-mid-prefill/mid_prefill.py $dt 2 \
    > "$OUT/mid-prefill-$dt.txt" 2>&1
  tail -2 "$OUT/mid-prefill-$dt.txt"
done
