#!/bin/bash
# Entry 288's next step (prepared, not run): entry 288's rule (rule.patch) applied over the installed wheel's
# one_launch.py, then dispatch_sweep GEMV_BIG_BLOCK_MAX_ROUNDS=0 (today) against 1 on the one-row r16 batches whose
# pick it changes and entry 288 did not time (17-19 segments: clusters of 4) and the rest of 31-39 (clusters of 2), at
# entry 288's 10 shapes, medians of 2, in dtype $2 (one dtype a call: ~3 minutes each).
# Usage (device): bash benchmarks/results/2026-12-04-gemv-big-blocks/call3.sh dist_287 bf16
set -u
dir=benchmarks/results/2026-12-04-gemv-big-blocks
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/one_launch.py /tmp/one_launch.py && patch -s /tmp/one_launch.py < "$dir/rule.patch" || exit 1
cp /tmp/one_launch.py /tmp/rec/sgmv/one_launch.py
PYTHONPATH=/tmp/rec timeout 500 python3 benchmarks/dispatch_sweep.py "$OUT/rounds-$2" "$2" GEMV_BIG_BLOCK_MAX_ROUNDS=0,1 \
  --batches=17x1,18x1,19x1,31x1,33x1,35x1,37x1,39x1 --ranks=16 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,2048x2048,5120x5120,4096x8192,8192x4096,3584x18944,18944x3584 \
  > "$OUT/rounds-$2.txt" 2>&1
tail -82 "$OUT/rounds-$2.txt"
