#!/bin/bash
# Entry 330 (device): the timeline probe over the sliced swaps' build (SGMV_PROBE_TIMELINE, bf16 prefill r64/r128).
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/rs-ag/call7.sh dist_t2
set -u
rm -rf /tmp/tl && python3 -m pip install -q --no-deps --no-index --target /tmp/tl "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/tl/sgmv/ && cp python/sgmv/bench/*.py /tmp/tl/sgmv/bench/
export PYTHONPATH=/tmp/tl
for args in "4096 4096 128 1 960" "4096 4096 128 1 1600" "14336 4096 64 1 960"; do
  timeout 60 python3 benchmarks/probe_timeline.py $args 3 2>&1 | tail -8
done | tee "$OUT/timeline-sliced.txt"
