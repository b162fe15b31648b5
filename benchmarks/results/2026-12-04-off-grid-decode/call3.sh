#!/bin/bash
# Entry 333, third call (device): the quick sweep (bf16 and fp16, no baselines, no serving pairs) on dist_333 and on
# dist_327b (the kernels before the bound on B's loads), both with this tree's Python, twice in turn (new, old, new,
# old) against drift; then test_gpu_one_launch.py whole on dist_333.
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call3.sh   (carry dist_xz_333)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_333 . || exit 1
for w in 333 327b; do
  rm -rf /tmp/w$w && python3 -m pip install -q --no-deps --no-index --target /tmp/w$w dist_$w/*.whl || exit 1
  cp python/sgmv/*.py /tmp/w$w/sgmv/ && cp python/sgmv/bench/*.py /tmp/w$w/sgmv/bench/
done
for round in 1 2; do
  for w in 333 327b; do
    PYTHONPATH=/tmp/w$w timeout 120 python3 -m sgmv bench --quick --dtype bf16,fp16 --no-baselines --no-pairs \
      --out "$OUT/quick-$w-$round" > "$OUT/quick-$w-$round.log" 2>&1
    echo "quick $w round $round rc=$? $(grep -c ' ok$' "$OUT/quick-$w-$round/table.txt") ok"
  done
done
cd tests
PYTHONPATH=/tmp/w333 timeout 230 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  > "$OUT/suite-one-launch.txt" 2>&1; echo "test_gpu_one_launch rc=$? $(tail -1 "$OUT/suite-one-launch.txt")"
