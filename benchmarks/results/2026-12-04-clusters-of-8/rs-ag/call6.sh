#!/bin/bash
# Entry 330 (device): v summed as a reduce-scatter and an all-gather in clusters of 4 and 8 (exchange_slices).
# 1. test_gpu_prefill.py's tests of clusters of 4 and 8 (walk over many tiles, 100 launches back to back on 7
#    clusters, dispatch's mid-size batches), and compute-sanitizer memcheck over the walk tests in clusters of 4 and 8.
# 2. A/B, A B B A: dist_327b (the butterfly) against the new build, this tree's Python over both, on batches that
#    run clusters of 4 and 8 at ranks 32-128, 4 shapes, bf16 (each case checked before it is timed).
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/rs-ag/call6.sh dist_327b dist_330
set -u
for w in "$1" "$2"; do
  rm -rf /tmp/$w && python3 -m pip install -q --no-deps --no-index --target /tmp/$w "$w"/*.whl || exit 1
  cp python/sgmv/*.py /tmp/$w/sgmv/ && cp python/sgmv/bench/*.py /tmp/$w/sgmv/bench/
done
(cd tests && PYTHONPATH=/tmp/$2 timeout 150 python3 -m pytest -q -x -p no:cacheprovider test_gpu_prefill.py \
  -k "cluster4 or cluster8 or 7x4 or 7x8 or four_and_eight" 2>&1 | tail -4) > "$OUT/tests.txt"; tail -2 "$OUT/tests.txt"
(cd tests && PYTHONPATH=/tmp/$2 timeout 100 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest \
  -q -p no:cacheprovider test_gpu_prefill.py -k "walk and (cluster4 or cluster8) and bf16 and token_order" 2>&1 |
  grep -E "ERROR SUMMARY|passed|failed" | tail -2) > "$OUT/memcheck.txt"; cat "$OUT/memcheck.txt"
grep -q " passed" "$OUT/tests.txt" && ! grep -q "failed" "$OUT/tests.txt" || exit 1
for w in "$1" "$2" "$2" "$1"; do
  n=$(ls -d "$OUT"/ab-$w-* 2>/dev/null | wc -l)
  PYTHONPATH=/tmp/$w timeout 120 python3 benchmarks/dispatch_sweep.py "$OUT/ab-$w-$n" bf16 PREFILL_OCTET=1 \
    --ops=add_lora --ranks=32,64,128 --shapes=4096x4096,8192x8192,14336x4096,3584x18944 \
    --batches=1x960,2x448,8x128,1x1600,4x400 > /dev/null 2>&1; echo "$w run $n rc=$?"
done
