#!/bin/bash
# Entry 371 (device), call 2: memcheck over the bf16 kernels' forced packed launches, racecheck on the bf16 256-column
# kernels for packed calls; then the probe: fp16 (gate + up, q + k + v), batches of 24-48 one-row segments (where
# call 1's 16 won and 64 lost), and rows in token order (lengths the host does not know), bf16.
# Usage (device): bash benchmarks/results/2026-12-05-s371-packed/call2.sh dist_xz_13
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
cd tests
timeout 140 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_ops.py -k "packed_launch_of_each and bf16 and (segments-64 or ranks)" > "$OUT/memcheck-packed.txt" 2>&1
echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck-packed.txt" | tail -1) $(tail -1 "$OUT/memcheck-packed.txt")"
for k in $(python3 -c "from gpu_checks import KERNELS
print(*(k.name for k in KERNELS if k.op == 'fused' and k.packed and k.dtype == 'bf16' and k.tile_n == 256))"); do
  out=$(timeout 30 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused python3 -m pytest -q \
        -p no:cacheprovider test_gpu_ops.py -k "packed_launch_of_each and $k and segments-16 and three" 2>&1)
  rc=$?
  echo "$(grep -E 'passed|failed|RACECHECK SUMMARY' <<<"$out" | tr '\n' ' ')rc=$rc $k"
done > "$OUT/racecheck-packed.txt"
echo "racecheck: $(grep -c 'passed.*0 hazards' "$OUT/racecheck-packed.txt") of $(wc -l < "$OUT/racecheck-packed.txt")" \
  "kernels passed with 0 hazards"
cd ..
variants="the pair,a call a slice,packed launch"
timeout 90 python3 benchmarks/slices_probe.py "$OUT/packed-fp16.json" --dtype=fp16 --variants="$variants" \
  --packs=gate_up,qkv --ranks=16,32,64 --batches=1x1,16x4,16x16,64x8,64x64,256x16 > "$OUT/packed-fp16.txt" 2>&1
tail -1 "$OUT/packed-fp16.txt"
timeout 60 python3 benchmarks/slices_probe.py "$OUT/one-row-bf16.json" --variants="$variants" \
  --packs=gate_up,qkv,4096:1024+1024,8192:8192+8192 --ranks=16,32,64 --batches=24x24,32x32,48x48 \
  > "$OUT/one-row-bf16.txt" 2>&1
tail -1 "$OUT/one-row-bf16.txt"
timeout 90 python3 benchmarks/slices_probe.py "$OUT/tokens-bf16.json" --variants="$variants" --order=tokens \
  --packs=gate_up,qkv,4096:1024+1024,8192:8192+8192 --ranks=16,32,64 --batches=16x4,64x8,128x8,256x16 \
  > "$OUT/tokens-bf16.txt" 2>&1
tail -1 "$OUT/tokens-bf16.txt"
