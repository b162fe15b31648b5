#!/bin/bash
# Entry 337: the final head of last session (abc8576) on the GPU, and what ranks 4 and 12 cost on the launch pair,
# on dist_334's kernels (carried as dist_xz_334) with the tree's Python:
#   run(command="bash benchmarks/results/2026-12-04-rank-4/call.sh", carry=["dist_xz_334"])
# 1. the GPU tests of the paths abc8576 touched (parts, off-grid padded, rank halves, random problems through the ops);
# 2. dispatch_sweep (one value of a constant no case here reads: a plain timing), bf16, medians of 2, each case checked
#    against the float64 reference before it is timed: ranks 4, 8, 12, 16 over decode and prefill batches.
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 > /dev/null || exit 1
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w dist_334/*.whl || exit 1
cp -r python/sgmv/. /tmp/w/sgmv/
export PYTHONPATH=/tmp/w
(cd tests && timeout 240 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_ops.py \
   -k "in_parts or off_the_grid or rank_halves or random_problems" > "$OUT/tests.txt" 2>&1)
echo "tests: rc=$? $(tail -1 "$OUT/tests.txt")"
grep -E "^(FAILED|ERROR)" "$OUT/tests.txt" | head -20
timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/ranks" bf16 RANK_PARTS=1 --repeat=2 --ops=add_lora \
  --ranks=4,8,12,16 --batches=1x1,16x1,64x1,256x1,4x16,1x256,8x128 --shapes=4096x4096,8192x8192,4096x14336 \
  > "$OUT/ranks.txt" 2>&1
echo "ranks: rc=$?"; grep -v "^\[" "$OUT/ranks.txt" | tail -90 | cut -c1-110
