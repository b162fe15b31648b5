#!/bin/bash
# Entry 327 (device): the GPU tests of the 64-row tile's clusters of 8, on the wheel with this tree's Python:
# test_gpu_prefill.py and test_gpu_one_launch.py in full, then compute-sanitizer memcheck over the walk test in
# clusters of 8 (bf16, both grids, token order: three rounds of swaps through distributed shared memory).
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/call2.sh dist_327
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
cd tests
for f in test_gpu_prefill.py test_gpu_one_launch.py; do
  timeout 230 python3 -u -m pytest -q -p no:cacheprovider "$f" > "$OUT/$f.txt" 2>&1
  echo "$f rc=$? $(tail -1 "$OUT/$f.txt")"
done
timeout 100 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_prefill.py -k "walk and cluster8 and bf16 and token_order" > "$OUT/memcheck.txt" 2>&1
echo "memcheck rc=$? $(grep -E 'ERROR SUMMARY|passed|failed' "$OUT/memcheck.txt" | tail -2 | tr '\n' ' ')"
