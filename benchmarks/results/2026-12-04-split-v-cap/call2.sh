#!/bin/bash
# NOTES entry 269: the grid handoff at three blocks an SM for the 4-warp rank 8-16 tiles without the occupancy cap
# (dist_262: the same SASS as dist_268, no cap in its manifest), against the capped build (dist_268), on the full
# sweep's rank 8-16 batches that run the handoff. Usage (device, repository root, both packed wheels carried):
#   bash benchmarks/results/2026-12-04-split-v-cap/call2.sh
set -u
for d in dist_268 dist_262; do python3 benchmarks/wheel_xz.py unpack "${d}x" "$d" > /dev/null || exit 1; done
for d in 268 262; do
  rm -rf /tmp/d$d && python3 -m pip install -q --no-deps --no-index --target /tmp/d$d dist_$d/*.whl || exit 1
done
cases="r8_distinct_bs16,r8_uniform_bs256,r8_identical_bs256,r8_skewed,r16_uniform_bs256,r16_identical_bs256,r16_skewed"
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/d262 timeout 250 python3 benchmarks/dispatch_sweep.py /tmp/u$dt $dt HANDOFF_BLOCKS_PER_SM=2,3 \
    --full --ops=add_lora --repeat=3 "--cases=$cases" > /tmp/u$dt.log 2>&1
  PYTHONPATH=/tmp/d268 timeout 150 python3 benchmarks/dispatch_sweep.py /tmp/c$dt $dt HANDOFF_BLOCKS_PER_SM=2 \
    --full --ops=add_lora --repeat=3 "--cases=$cases" > /tmp/c$dt.log 2>&1
  for ext in txt json; do
    cp /tmp/u$dt/HANDOFF_BLOCKS_PER_SM.$ext "$OUT/uncapped-$dt.$ext"
    cp /tmp/c$dt/HANDOFF_BLOCKS_PER_SM.$ext "$OUT/capped-$dt.$ext"
  done
  tail -2 /tmp/u$dt.log /tmp/c$dt.log | cut -c1-200
done
