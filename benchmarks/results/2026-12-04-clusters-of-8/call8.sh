#!/bin/bash
# Entry 332 (device): PREFILL_OCTET_MIN_CHUNKS=8,5 (clusters of 8 where each block streams 5-7 chunks of h_in and
# h_out: 2048 -> 3072 up to 3584) on rank 128's batches of up to 15 tiles, bf16, medians of 2, every case checked.
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/call8.sh dist_327b
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/chunks" bf16 PREFILL_OCTET_MIN_CHUNKS=8,5 --repeat=2 \
  --ops=add_lora --ranks=128 --shapes=2048x5632,2048x3072,2560x2560,3072x3072,3584x3584 \
  --batches=1x960,2x448,4x192,8x64,3x300,1x512 > "$OUT/chunks.txt" 2>&1
grep "^add_lora" "$OUT/chunks.txt"
