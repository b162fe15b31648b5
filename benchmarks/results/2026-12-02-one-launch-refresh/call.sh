#!/usr/bin/env bash
# NOTES entry 194: every one-launch kernel of the rank forced onto the quick sweep's cases nearest their targets, on
# the shipped default (dist_m). From the repository root:
#   run(command="bash benchmarks/results/2026-12-02-one-launch-refresh/call.sh dist_m", carry=["dist_m"])
set -o pipefail
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cases=h8192_r64_identical_bs64_,h8192_r64_uniform_bs64_,h8192_r64_distinct_bs16_,h8192_r64_uniform_bs256_
cases+=,h8192_r64_identical_bs256_,h4096_r64_distinct_bs16_,h4096_r64_identical_bs256_,h4096_r64_distinct_bs64_
cases+=,h4096_r16_distinct_bs16_,h8192_r16_distinct_bs16_,h8192_r16_uniform_bs256_,h8192_r16_identical_bs256_
cases+=,h4096_r16_distinct_bs64_,h8192_r16_distinct_bs64_,h4096_r16_distinct_bs256_
for d in bf16 fp16; do
  PYTHONPATH=/tmp/rec timeout 270 python3 benchmarks/fused_sweep.py "$OUT/one-launch-$d.json" $d "$cases" \
    2>&1 | tee "$OUT/one-launch-$d.txt"
done
