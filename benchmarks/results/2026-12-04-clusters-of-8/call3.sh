#!/bin/bash
# Entry 328 (device): where a prefill launch's time goes, from the timeline probe build (SGMV_PROBE_TIMELINE, the bf16
# prefill kernels only), on batches of 8-128 row tiles at ranks 16-128.
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/call3.sh dist_t
set -u
rm -rf /tmp/tl && python3 -m pip install -q --no-deps --no-index --target /tmp/tl "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/tl/sgmv/ && cp python/sgmv/bench/*.py /tmp/tl/sgmv/bench/
export PYTHONPATH=/tmp/tl
for args in "2048 2048 128 1 960" "4096 4096 128 1 960" "8192 8192 128 1 960" "4096 4096 64 1 960" \
            "4096 4096 64 8 1024" "4096 4096 16 64 64" "4096 4096 128 1 64"; do
  timeout 60 python3 benchmarks/probe_timeline.py $args 3 2>&1 | tail -8
done | tee "$OUT/timeline.txt"
