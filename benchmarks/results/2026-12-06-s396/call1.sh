#!/bin/bash
# Entry 396 (device), call 1: entry 394's split-count sweep (its call1.sh, unchanged), then the GPU suite's padded and
# one-launch files on main's default build (608 kernels, dist_C2; the whole suite last ran on entry 392's 604).
# Usage (device): bash benchmarks/results/2026-12-06-s396/call1.sh   (carry dist_xz_C2)
set -u
start=$SECONDS
bash benchmarks/results/2026-12-06-s394/call1.sh C2
echo "sweep: $((SECONDS - start)) s"
bash benchmarks/run_of_record.sh dist_C2 suite-padded suite-one-launch
echo "all: $((SECONDS - start)) s"
