# NOTES entry 141 (prediction before measuring): batches of 3-8 rows a segment with lengths unknown on the host
# (device-built LoraBatch) on the prefill kernel's 16-row tile against the launch pair, 60 cases a dtype (entry
# 140's 40 and the full sweep's 20 skewed bs256), medians of 2, on the wheel dist_head (main at 8828f4c):
#   run(command="bash benchmarks/results/2026-12-02-unknown-lengths/call.sh", carry=["dist_head"])   (~1-2 min)
rm -rf /tmp/head && python3 -m pip install -q --no-deps --no-index --target /tmp/head dist_head/*.whl
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/head timeout 270 python3 benchmarks/results/2026-12-02-unknown-lengths/unknown_lengths.py $dt 2 \
    > "$OUT/unknown-lengths-$dt.txt" 2>&1
  tail -3 "$OUT/unknown-lengths-$dt.txt"
done
