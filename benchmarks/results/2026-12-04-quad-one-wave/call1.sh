#!/bin/bash
# Entry 324 (device): clusters of four of the 64-row tile at ranks 16-64 in mid-size batches, and the GPU tests of the
# one-launch kernels (not run since entry 321's split of one_launch.py).
# 1. PREFILL_QUAD_MIN_RANK=128,16 with PREFILL_QUAD_MAX_TILES=30 (the driver's count of clusters of 4 on the H200,
#    entry 322), bf16, medians of 2: 11 batches of 768-1920 rows in 1-24 segments of 64+ rows, ranks 16, 32, 64, at
#    4096, 8192, 4096 -> 14336 and 18944 -> 3584.
# 2. tests/test_gpu_one_launch.py on the wheel with the tree's Python.
# Usage (device): bash benchmarks/results/2026-12-04-quad-one-wave/call1.sh dist_323
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
timeout 330 python3 -u benchmarks/dispatch_sweep.py "$OUT/quad" bf16 PREFILL_QUAD_MIN_RANK=128,16 PREFILL_QUAD_MAX_TILES=30 \
  --repeat=2 --ops=add_lora --ranks=16,32,64 --shapes=4096x4096,8192x8192,4096x14336,18944x3584 \
  --batches=1x768,1x1280,1x1920,2x512,2x960,4x256,4x480,8x128,8x240,16x96,24x64 > "$OUT/quad.txt" 2>&1
grep "^add_lora" "$OUT/quad.txt"
cd tests && timeout 240 python3 -u -m pytest -q -x -p no:cacheprovider test_gpu_one_launch.py 2>&1 | tail -5 | tee "$OUT/tests-one-launch.txt"
