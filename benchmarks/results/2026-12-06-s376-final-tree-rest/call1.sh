#!/bin/bash
# Entry 376 (device), call 1: what entry 375 left unrun on the final tree's build (dist_17, 8e56e92's default build):
# the GPU tests its call 2 had not reached (s375's call3.sh, the ids in rest-tail-ids.txt), then the full sweep.
# Usage (device): bash benchmarks/results/2026-12-06-s376-final-tree-rest/call1.sh dist_xz_17 dist_17
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
bash benchmarks/results/2026-12-06-s375-final-tree/call3.sh "$1" "$2"
bash benchmarks/run_of_record.sh "$2" full
echo "full: $(ls "$OUT")"
