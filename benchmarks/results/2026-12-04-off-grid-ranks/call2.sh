#!/bin/bash
# Entry 325, second call (device): the padded-rank GPU tests after the fix to the test helper (it counted the graph
# capture's launches), and compute-sanitizer memcheck over them (bf16, 4 layouts; API errors of torch's driver lookups
# not reported, as every memcheck here).
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-ranks/call2.sh dist_323
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
cd tests
timeout 200 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "off_the_grid or rank_8_prefill or chained" > "$OUT/tests.txt" 2>&1; echo "tests rc=$? $(tail -1 "$OUT/tests.txt")"
timeout 250 compute-sanitizer --tool memcheck --report-api-errors no --error-exitcode 9 python3 -m pytest -q \
  -p no:cacheprovider test_gpu_one_launch.py -k "(off_the_grid or rank_8_prefill) and bf16 and (256 or 4096 or 2100 or 1500)" \
  > "$OUT/memcheck.txt" 2>&1
echo "memcheck rc=$? $(tail -2 "$OUT/memcheck.txt" | tr '\n' ' ')"
