#!/bin/bash
# Entry 413 (device): the run of record on main's default build (dist_K, carried packed as dist_xz_K) on an H200 only,
# then the GPU suite's parts, as run_of_record.sh names them.
# Usage (device): bash benchmarks/results/2026-12-06-s413/call.sh STEP...   e.g. quick full suite-one-launch suite-padded
# (~365 s), then suite-rest (~250 s). Files: $OUT/gpu-name.txt and run_of_record.sh's.
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
grep -q H200 "$OUT/gpu-name.txt" || { echo "not an H200: no run of record"; exit 3; }
[ -d dist_K ] || python3 benchmarks/wheel_xz.py unpack dist_xz_K dist_K > /dev/null || exit 1
bash benchmarks/run_of_record.sh dist_K "$@"
echo "== done at $SECONDS s"
