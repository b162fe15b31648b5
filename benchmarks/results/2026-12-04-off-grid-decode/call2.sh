#!/bin/bash
# Entry 333, second call (device): call.sh's bounds test again after its fix (the batch built from device tensors had
# no host-known segment lengths, and the test's own Problem failed before any launch): the test on dist_333 (both
# dtypes, both shapes), then compute-sanitizer memcheck over its bf16 cases at 4096 with each tensor its own cudaMalloc
# (PYTORCH_NO_CUDA_MEMORY_CACHING=1), on dist_333 (expect 0 errors) and dist_327b (the kernels before the bound on B's
# loads: expect errors).
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call2.sh   (carry dist_xz_333)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_333 . || exit 1
for w in 333 327b; do
  rm -rf /tmp/w$w && python3 -m pip install -q --no-deps --no-index --target /tmp/w$w dist_$w/*.whl || exit 1
  cp python/sgmv/*.py /tmp/w$w/sgmv/ && cp python/sgmv/bench/*.py /tmp/w$w/sgmv/bench/
done
cd tests
PYTHONPATH=/tmp/w333 timeout 100 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "within_bounds" > "$OUT/tests2.txt" 2>&1; echo "tests rc=$? $(tail -1 "$OUT/tests2.txt")"
for w in 333 327b; do
  PYTHONPATH=/tmp/w$w PYTORCH_NO_CUDA_MEMORY_CACHING=1 timeout 150 compute-sanitizer --tool memcheck \
    --report-api-errors no --error-exitcode 9 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
    -k "within_bounds and bf16 and 4096x4096" > "$OUT/memcheck-$w.txt" 2>&1
  echo "memcheck $w rc=$? invalid=$(grep -c 'Invalid __global__ read' "$OUT/memcheck-$w.txt") $(grep 'ERROR SUMMARY' "$OUT/memcheck-$w.txt" | tail -1) $(tail -1 "$OUT/memcheck-$w.txt")"
done
