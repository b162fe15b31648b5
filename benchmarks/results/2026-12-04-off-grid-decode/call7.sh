#!/bin/bash
# Entry 333, seventh call (device), on dist_334 (the bound on B's loads as the fused kernels' variant for true ranks at
# ranks 32-128; the other 490 kernels SASS-identical to dist_327b's) with this tree's Python:
# 1. the padded-rank tests and the bounds test (test_gpu_one_launch.py), the per-kernel tests of the fused variants
#    (test_gpu_kernels.py -k "fused and ranks"), the mixed-rank tests (test_gpu_ops.py -k true_ranks), and
#    test_picks_of_gpu_tests.py;
# 2. compute-sanitizer memcheck over the bounds test's bf16 cases at 4096, each tensor its own cudaMalloc;
# 3. PADDED_OFF_GRID_FUSED=0,1 over call.sh's off-grid decode batches (bf16, medians of 2).
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call7.sh   (carry dist_xz_334)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 || exit 1
rm -rf /tmp/w334 && python3 -m pip install -q --no-deps --no-index --target /tmp/w334 dist_334/*.whl || exit 1
cp python/sgmv/*.py /tmp/w334/sgmv/ && cp python/sgmv/bench/*.py /tmp/w334/sgmv/bench/
export PYTHONPATH=/tmp/w334
cd tests
timeout 200 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "off_the_grid or rank_8_prefill or within_bounds" > "$OUT/tests7.txt" 2>&1
echo "one_launch padded rc=$? $(tail -1 "$OUT/tests7.txt")"
timeout 150 python3 -u -m pytest -q -p no:cacheprovider test_gpu_kernels.py test_gpu_ops.py test_picks_of_gpu_tests.py \
  -k "(fused and ranks) or true_ranks or picks" > "$OUT/tests7b.txt" 2>&1
echo "kernels/ops/picks rc=$? $(tail -1 "$OUT/tests7b.txt")"
PYTORCH_NO_CUDA_MEMORY_CACHING=1 timeout 100 compute-sanitizer --tool memcheck --report-api-errors no \
  --error-exitcode 9 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "within_bounds and bf16 and 4096x4096" > "$OUT/memcheck7.txt" 2>&1
echo "memcheck rc=$? $(grep 'ERROR SUMMARY' "$OUT/memcheck7.txt" | tail -1) $(tail -1 "$OUT/memcheck7.txt")"
cd ..
timeout 150 python3 -u benchmarks/dispatch_sweep.py "$OUT/offgrid7" bf16 PADDED_OFF_GRID_FUSED=0,1 \
  --repeat=2 --ops=add_lora --ranks=24,48,96 --shapes=4096x4096,8192x8192,4096x14336,3584x18944 \
  --batches=1x1,16x1,4x4,1x64,1x256,16x16,8x32 > "$OUT/offgrid7.txt" 2>&1
echo "sweep rc=$?"
