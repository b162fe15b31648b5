#!/bin/bash
# Entry 375 (device), call 1: the final tree's default wheel (dist_17, HEAD's build, packed as dist_xz_17) on the GPU.
# On an H200, the quick sweep of record first; on any card, the GPU suite's one-launch files.
# Usage (device): bash benchmarks/results/2026-12-06-s375-final-tree/call1.sh dist_xz_17 dist_17
set -u
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
steps="suite-one-launch suite-padded"
nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200 && steps="quick $steps"
echo "steps: $steps"
bash benchmarks/run_of_record.sh "$2" $steps
for f in gpu-suite-one-launch gpu-suite-padded; do echo "$f: $(tail -n 1 "$OUT/$f.txt")"; done
