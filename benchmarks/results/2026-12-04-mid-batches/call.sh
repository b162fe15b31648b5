#!/bin/bash
# Entry 317 (device): mid-size batches (512-2048 rows in 1-32 segments) at ranks 16-128 and 6 shapes, bf16, under
# ONE_LAUNCH/PROBE_TALL (probe.patch, applied to this copy of the tree) 1/0 (today), 0/0 (the launch pair everywhere),
# 1/1 (rank 128's 64-row tile at any fill, never the halves over it); one run each. The installed wheel's kernels.
# Usage (device): bash benchmarks/results/2026-12-04-mid-batches/call.sh dist_315
set -u
git apply benchmarks/results/2026-12-04-mid-batches/probe.patch || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
timeout 500 python3 benchmarks/dispatch_sweep.py "$OUT/mid" bf16 ONE_LAUNCH=1,0,1 --with=PROBE_TALL=0,0,1 \
  --ops=add_lora --ranks=16,32,64,128 --shapes=18944x3584,28672x8192,4096x4096,8192x8192,3584x18944,4096x14336 \
  --batches=1x512,2x512,4x256,8x128,2x1024,8x256,16x128,32x64 > "$OUT/mid.txt" 2>&1
tail -3 "$OUT/mid.txt"
for d in "$OUT"/mid/*/; do cp "$d/results.csv" "$OUT/mid-$(basename "$d" | tr ',=' '__').csv"; done
