#!/bin/bash
# Entry 336: a rank no one-launch path takes whole, in parts of the rank (one_launch_padded.rank_parts), on dist_334's
# kernels (carried as dist_xz_334) with the tree's Python:
#   run(command="bash benchmarks/results/2026-12-04-rank-parts/call.sh", carry=["dist_xz_334"])
# 1. the GPU tests of the paths it touches (parts, off-grid padded, rank halves, random problems through the ops);
# 2. dispatch_sweep RANK_PARTS=0,1 (0: the launch pair, as before), bf16, medians of 2, every case checked against
#    the float64 reference by the bench before it is timed: ranks off the grid below 128 over many one-row segments,
#    ranks past 128 over decode and prefill batches, rank 512 (four parts).
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 > /dev/null || exit 1
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w dist_334/*.whl || exit 1
cp -r python/sgmv/. /tmp/w/sgmv/
export PYTHONPATH=/tmp/w
(cd tests && timeout 300 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_ops.py \
   -k "in_parts or off_the_grid or rank_halves or random_problems" > "$OUT/tests.txt" 2>&1)
echo "tests: rc=$? $(tail -1 "$OUT/tests.txt")"
grep -E "^(FAILED|ERROR)" "$OUT/tests.txt" | head -20
sweep() {  # name, then dispatch_sweep's --ranks, --batches, --shapes
  timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/$1" bf16 RANK_PARTS=0,1 --repeat=2 --ops=add_lora \
    --ranks="$2" --batches="$3" --shapes="$4" > "$OUT/$1.txt" 2>&1
  echo "$1: rc=$?"; grep -v "^\[" "$OUT/$1.txt" | tail -80 | cut -c1-110
}
sweep below-128 88,96,120 64x1,132x1,256x1,64x4 4096x4096,8192x8192,4096x14336
sweep past-128 136,160,192,256 1x1,16x1,64x1,256x1,16x16,1x1024,8x128 4096x4096,8192x8192
sweep rank-512 512 1x1,64x1,1x1024 4096x4096
