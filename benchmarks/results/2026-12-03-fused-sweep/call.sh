#!/usr/bin/env bash
# NOTES entry 214: every compiled one-launch kernel forced onto the quick sweep's decode cases that miss their target
# (benchmarks/fused_sweep.py, bf16), on head's default wheel after entry 212 (dist_fin3): does a tile dispatch does not
# pick (such as rank 64's 32-row tiles, now in rank halves, at h4096) beat the one it picks? From the repository root:
#   run(command="bash benchmarks/results/2026-12-03-fused-sweep/call.sh", carry=["dist_fin3"])
repo=$PWD
rm -rf /tmp/fs && python3 -m pip install -q --no-deps --no-index --target /tmp/fs dist_fin3/*.whl || exit 1
cd /tmp && PYTHONPATH=/tmp/fs timeout 400 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/fused-sweep-bf16.json" bf16 \
  "r64_identical_bs64,r64_identical_bs256,r64_uniform_bs256,r64_distinct_bs16,r16_identical_bs256,r16_uniform_bs256,\
r16_distinct_bs16,r16_distinct_bs64,r16_distinct_bs256" 2>&1 | tee "$OUT/fused-sweep-bf16.txt"
