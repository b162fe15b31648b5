#!/usr/bin/env bash
# NOT RUN: the device refused to start for it, and the time left was too short for the whole suite; call4.sh ran
# in its place (NOTES entry 196).
# NOTES entry 196: on dist_q (entry 195's kernel with the producer's slots as odd_slot_dst, so every other kernel
# keeps dist_m's SASS), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-r128-prefill/call3.sh", carry=["dist_q"])
# 1. the whole GPU suite on dist_q (suite/gpu-suite.txt)
# 2. one bench run of the full sweep's rank-128 prefill cases on it, both dtypes (bench-q/)
set -uo pipefail
mkdir -p "$OUT/suite"
OUT="$OUT/suite" bash benchmarks/run_of_record.sh dist_q suite
cd /tmp && PYTHONPATH=/tmp/rec timeout 50 python3 -m sgmv bench --dtype bf16,fp16 --op add_lora --no-baselines \
  --no-pairs --cases r128_prefill --out "$OUT/bench-q" > "$OUT/bench-q.log" 2>&1; tail -2 "$OUT/bench-q.log"
