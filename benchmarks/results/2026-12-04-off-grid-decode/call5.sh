#!/bin/bash
# Entry 333, fifth call (device): call4.sh's A/B again with dist_333g, whose fused kernels bound B's loads only where
# the true rank is below the kernel's (behind a uniform branch), against dist_327b: the quick sweep's decode cases,
# this tree's Python, bf16 and fp16, no baselines, three rounds in turn (ab_table.py: 3 decimals, the medians' ratio).
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call5.sh   (carry dist_xz_333g)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_333g . || exit 1
for w in 333g 327b; do
  rm -rf /tmp/w$w && python3 -m pip install -q --no-deps --no-index --target /tmp/w$w dist_$w/*.whl || exit 1
  cp python/sgmv/*.py /tmp/w$w/sgmv/ && cp python/sgmv/bench/*.py /tmp/w$w/sgmv/bench/
done
for round in 1 2 3; do
  for w in 333g 327b; do
    PYTHONPATH=/tmp/w$w timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --no-baselines --no-pairs \
      --cases distinct,uniform,identical --out "/tmp/ab/$w-$round" > /dev/null 2>&1 || echo "run $w $round failed"
  done
done
python3 benchmarks/results/2026-12-04-off-grid-decode/ab_table.py /tmp/ab new=333g-1,333g-2,333g-3 \
  old=327b-1,327b-2,327b-3 > "$OUT/ab5.txt" 2>&1
tail -1 "$OUT/ab5.txt"
