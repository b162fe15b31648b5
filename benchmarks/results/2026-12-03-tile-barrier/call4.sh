#!/usr/bin/env bash
# NOTES entry 249, last call: the driver's count of resident clusters of 2, 3 and 4 blocks of every prefill kernel
# (entry 248's next step: clusters of 4 of the two-block 16-row tile for r16 distinct bs64 need 64 at once) and of the
# gemv kernels, on the record's wheel.
#   run(command="python3 benchmarks/wheel_xz.py unpack dist_249fx dist_249f &&
#                bash benchmarks/results/2026-12-03-tile-barrier/call4.sh dist_249f", carry=["dist_249fx"])
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w "$1"/*.whl || exit 1
export PYTHONPATH=/tmp/w
repo=$PWD
cd /tmp && for op in prefill gemv; do
  timeout 60 python3 "$repo/benchmarks/gemv_clusters.py" --op=$op --sizes=2,3,4
done | tee "$OUT/resident-clusters.txt"
