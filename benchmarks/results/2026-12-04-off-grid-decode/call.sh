#!/bin/bash
# Entry 333, first call (device): ranks off the grid on the next rank's fused kernel (decode batches).
# 1. The padded-rank GPU tests (test_gpu_one_launch.py -k "off_the_grid or rank_8_prefill"), on dist_333 with this
#    tree's Python.
# 2. compute-sanitizer memcheck over the bounds test (weights of exactly the call's rank, each its own cudaMalloc:
#    PYTORCH_NO_CUDA_MEMORY_CACHING=1), bf16 at 4096: on dist_333 (expect 0 errors), then on dist_327b, the kernels
#    before entry 333's bound on B's loads, with the same Python (expect errors: the test can fail).
# 3. PADDED_OFF_GRID_FUSED=0,1 (the launch pair against the next rank's fused kernel), bf16, medians of 2, ranks 24,
#    48, 96 at 4096, 8192, 4096 -> 14336 and 3584 -> 18944 over 7 decode batches.
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call.sh   (carry dist_xz_333)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_333 . || exit 1
for w in 333 327b; do
  rm -rf /tmp/w$w && python3 -m pip install -q --no-deps --no-index --target /tmp/w$w dist_$w/*.whl || exit 1
  cp python/sgmv/*.py /tmp/w$w/sgmv/ && cp python/sgmv/bench/*.py /tmp/w$w/sgmv/bench/
done
cd tests
PYTHONPATH=/tmp/w333 timeout 200 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "off_the_grid or rank_8_prefill" > "$OUT/tests.txt" 2>&1; echo "tests rc=$? $(tail -1 "$OUT/tests.txt")"
for w in 333 327b; do
  PYTHONPATH=/tmp/w$w PYTORCH_NO_CUDA_MEMORY_CACHING=1 timeout 100 compute-sanitizer --tool memcheck \
    --report-api-errors no --error-exitcode 9 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
    -k "within_bounds and bf16 and 4096x4096" > "$OUT/memcheck-$w.txt" 2>&1
  echo "memcheck $w rc=$? invalid=$(grep -c 'Invalid __global__ read' "$OUT/memcheck-$w.txt") $(grep 'ERROR SUMMARY' "$OUT/memcheck-$w.txt" | tail -1) $(tail -1 "$OUT/memcheck-$w.txt")"
done
cd ..
PYTHONPATH=/tmp/w333 timeout 200 python3 -u benchmarks/dispatch_sweep.py "$OUT/offgrid" bf16 PADDED_OFF_GRID_FUSED=0,1 \
  --repeat=2 --ops=add_lora --ranks=24,48,96 --shapes=4096x4096,8192x8192,4096x14336,3584x18944 \
  --batches=1x1,16x1,4x4,1x64,1x256,16x16,8x32 > "$OUT/offgrid.txt" 2>&1
echo "sweep rc=$?"; grep "^add_lora" "$OUT/offgrid.txt" | head -100
