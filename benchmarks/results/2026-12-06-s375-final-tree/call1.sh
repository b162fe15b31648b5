#!/bin/bash
# Entry 375 (device), call 1: the final tree's default wheel (dist_17, HEAD's build, packed as dist_xz_17) on the GPU.
# On an H200, the quick sweep of record first; on any card, entry 374's call 8 (its GPU tests: all of
# test_gpu_ops.py and test_lora_linear.py; host_time.py --gpu; the token-order packed calls as dispatched).
# Usage (device): bash benchmarks/results/2026-12-06-s375-final-tree/call1.sh dist_xz_17 dist_17
set -u
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200 && bash benchmarks/run_of_record.sh "$2" quick
bash benchmarks/results/2026-12-06-s374-host-time/call8.sh "$1"
