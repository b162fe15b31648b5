#!/bin/bash
# Entry 286: memcheck over the gemv kernels of entry 285 (every kernel at four shapes and five layouts, the tables
# and chain tests), then the full sweep again on the same wheel, fp16 first this time.
# Usage (device): bash benchmarks/results/2026-12-04-gemv-early-tables/call2.sh dist_287
set -u
wheel_dir=$1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
(cd tests && timeout 170 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
  -p no:cacheprovider test_gpu_one_launch.py \
  -k "(gemv_shapes and (4096x4096 or 1040x8 or 8x24 or 16x4104)) or host_tables or chained_gemv" \
  > "$OUT/memcheck-gemv.txt" 2>&1; echo "rc=$?" >> "$OUT/memcheck-gemv.txt")
grep -E "passed|failed|ERROR SUMMARY" "$OUT/memcheck-gemv.txt" | tail -3
nvidia-smi --query-gpu=temperature.gpu,clocks.sm,clocks.mem,power.draw --format=csv,noheader > "$OUT/clocks.txt"
cd /tmp
for dt in fp16 bf16; do
  timeout 200 python3 -m sgmv bench --dtype $dt --no-pairs --out "/tmp/full2-$dt" > "/tmp/full2-$dt.log" 2>&1
  echo "full $dt rc=$?"
  nvidia-smi --query-gpu=temperature.gpu,clocks.sm,clocks.mem,power.draw --format=csv,noheader >> "$OUT/clocks.txt"
done
tar czf "$OUT/full2.tgz" -C /tmp full2-fp16 full2-bf16
