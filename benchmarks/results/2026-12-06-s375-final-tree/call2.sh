#!/bin/bash
# Entry 375 (device), call 2: the whole GPU suite on the final tree's wheel (run_of_record.sh's three parts).
# Usage (device): bash benchmarks/results/2026-12-06-s375-final-tree/call2.sh dist_xz_17 dist_17
set -u
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
bash benchmarks/run_of_record.sh "$2" suite-one-launch suite-padded suite-rest
for f in gpu-suite-one-launch gpu-suite-padded gpu-suite-rest; do echo "$f: $(tail -n 1 "$OUT/$f.txt")"; done
