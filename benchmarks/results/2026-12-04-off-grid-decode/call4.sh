#!/bin/bash
# Entry 333, fourth call (device): a closer A/B of the fused kernels' bound on B's loads on the quick sweep's decode
# cases (the prefill cases run unchanged kernels): dist_333 against dist_327b, this tree's Python, bf16 and fp16, no
# baselines, three rounds in turn; ab_table.py prints every time to 3 decimals and the medians' ratio.
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call4.sh   (carry dist_xz_333)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_333 . || exit 1
for w in 333 327b; do
  rm -rf /tmp/w$w && python3 -m pip install -q --no-deps --no-index --target /tmp/w$w dist_$w/*.whl || exit 1
  cp python/sgmv/*.py /tmp/w$w/sgmv/ && cp python/sgmv/bench/*.py /tmp/w$w/sgmv/bench/
done
for round in 1 2 3; do
  for w in 333 327b; do
    PYTHONPATH=/tmp/w$w timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --no-baselines --no-pairs \
      --cases distinct,uniform,identical --out "/tmp/ab/$w-$round" > /dev/null 2>&1 || echo "run $w $round failed"
  done
done
python3 benchmarks/results/2026-12-04-off-grid-decode/ab_table.py /tmp/ab new=333-1,333-2,333-3 \
  old=327b-1,327b-2,327b-3 > "$OUT/ab.txt" 2>&1
tail -1 "$OUT/ab.txt"
