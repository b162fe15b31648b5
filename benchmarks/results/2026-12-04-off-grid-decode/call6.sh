#!/bin/bash
# Entry 333, sixth call (device), on dist_333 (the bound as shipped) with this tree's Python:
# 1. the other GPU test files the fused kernels run in: test_gpu_kernels.py, test_gpu_ops.py (mixed ranks among them),
#    test_picks_of_gpu_tests.py;
# 2. an A/B of the full sweep's rank 32 and 128 cases (fused kernels the quick sweep does not run) against
#    dist_327b, bf16, no baselines, two rounds in turn (ab_table.py).
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call6.sh   (carry dist_xz_333)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_333 . || exit 1
for w in 333 327b; do
  rm -rf /tmp/w$w && python3 -m pip install -q --no-deps --no-index --target /tmp/w$w dist_$w/*.whl || exit 1
  cp python/sgmv/*.py /tmp/w$w/sgmv/ && cp python/sgmv/bench/*.py /tmp/w$w/sgmv/bench/
done
cd tests
PYTHONPATH=/tmp/w333 timeout 330 python3 -u -m pytest -q -p no:cacheprovider test_gpu_kernels.py test_gpu_ops.py \
  test_picks_of_gpu_tests.py > "$OUT/suite-rest.txt" 2>&1; echo "kernels+ops+picks rc=$? $(tail -1 "$OUT/suite-rest.txt")"
cd ..
for round in 1 2; do
  for w in 333 327b; do
    PYTHONPATH=/tmp/w$w timeout 100 python3 -m sgmv bench --dtype bf16 --no-baselines --no-pairs \
      --cases r32_,r128_ --out "/tmp/ab/$w-$round" > /dev/null 2>&1 || echo "run $w $round failed"
  done
done
python3 benchmarks/results/2026-12-04-off-grid-decode/ab_table.py /tmp/ab new=333-1,333-2 old=327b-1,327b-2 \
  > "$OUT/ab6.txt" 2>&1
tail -1 "$OUT/ab6.txt"
