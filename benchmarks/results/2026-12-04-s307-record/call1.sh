#!/bin/bash
# Entry 307, first call (device): the run of record's test_gpu_one_launch.py and quick sweep on the final wheel, then
# memcheck over rank 8's gemv kernels, then entries 305-306's rank-8 picks in fp16 (dispatch_sweep
# GEMV_FALLBACK_MAX_RANK=0,8: 0 is entry 305's picks).
# Usage (device): bash benchmarks/results/2026-12-04-s307-record/call1.sh dist_307
set -u
bash benchmarks/run_of_record.sh "$1" suite-one-launch quick
export PYTHONPATH=/tmp/rec
(cd tests && timeout 120 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_kernels.py -k "gemv and _r8_" > "$OUT/memcheck-gemv.txt" 2>&1)
echo "memcheck gemv r8: $(grep -E 'passed|failed' "$OUT/memcheck-gemv.txt" | tail -1) $(tail -1 "$OUT/memcheck-gemv.txt")"
timeout 120 python3 benchmarks/dispatch_sweep.py "$OUT/sw" fp16 GEMV_FALLBACK_MAX_RANK=0,8 \
  --batches=36x1,42x1,50x1,80x1,100x1,132x1 --ranks=8 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,4096x14336,18944x3584,2048x2048 > "$OUT/fallback-fp16.txt" 2>&1
tail -32 "$OUT/fallback-fp16.txt" | grep -v "^\[" | cut -c1-120
