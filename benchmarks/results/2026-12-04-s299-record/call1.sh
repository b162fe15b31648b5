#!/bin/bash
# Entry 300 (device): the one-row paired-line probe, then the run of record's first half on dist_299 (the default
# wheel of 0353f8b): test_gpu_one_launch.py and the quick sweep.
# Usage (device): bash benchmarks/results/2026-12-04-s299-record/call1.sh dist_299
bash benchmarks/results/2026-12-04-one-row-paired-line/call.sh "$1"
bash benchmarks/run_of_record.sh "$1" suite-one-launch quick
