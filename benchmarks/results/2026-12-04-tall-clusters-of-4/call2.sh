#!/bin/bash
# Entry 319, second call (device): the shipped rule (rank 128's 64-row tile in clusters of 4 on up to 24 full tiles)
# against the halves, PREFILL_QUAD_MAX_TILES=0,24, on the batches it moves that call 1 did not time (768-1536 rows,
# 1-24 segments of 64+ rows) and one it did (2 x 512), 3 shapes, bf16; then the cluster-4 GPU tests and the random
# problems of test_gpu_ops on this tree's Python.
# Usage (device): bash benchmarks/results/2026-12-04-tall-clusters-of-4/call2.sh dist_319b
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
timeout 90 python3 benchmarks/dispatch_sweep.py "$OUT/quad" bf16 PREFILL_QUAD_MAX_TILES=0,24 --ops=add_lora \
  --ranks=128 --shapes=4096x4096,18944x3584,3584x18944 --batches=1x768,2x384,1x1280,4x320,1x1536,24x64,12x128,2x512 \
  > "$OUT/quad.txt" 2>&1
grep "^add_lora" "$OUT/quad.txt"
(cd tests && timeout 90 python3 -u -m pytest -q -p no:cacheprovider test_gpu_prefill.py test_gpu_ops.py \
   -k "mid_size or cluster4 or 7x4 or random" > "$OUT/tests.txt" 2>&1); tail -2 "$OUT/tests.txt"
