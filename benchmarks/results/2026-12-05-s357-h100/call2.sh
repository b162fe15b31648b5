#!/bin/bash
# NOTES entry 357, second call: the rest of the GPU suite on dist_361, then entry 348's probe (a per-adapter scale
# tensor against a float) under the same wheel:
#   run(command="bash benchmarks/results/2026-12-05-s357-h100/call2.sh", carry=["dist_xz_361"])
set -u
repo=$PWD
python3 benchmarks/wheel_xz.py unpack dist_xz_361 dist_361 > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_361 suite-rest suite-padded
(cd /tmp && PYTHONPATH=/tmp/rec timeout 120 python3 "$repo/benchmarks/results/2026-12-05-host-time/scales_probe.py") \
  2>&1 | tee "$OUT/scales-probe.txt"
