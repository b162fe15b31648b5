#!/bin/bash
# Entry 334 (device), on dist_334 with this tree's Python: a padded call reads the package's own table of ranks early
# once an earlier call made it (Rows.ranks_ready). The padded, bounds and table tests (bf16), then the off-grid decode
# batches with PADDED_OFF_GRID_FUSED=1 (medians of 2), against call7.sh's times (the same kernels, the table read late).
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-decode/call8.sh   (carry dist_xz_334)
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 || exit 1
rm -rf /tmp/w334 && python3 -m pip install -q --no-deps --no-index --target /tmp/w334 dist_334/*.whl || exit 1
cp python/sgmv/*.py /tmp/w334/sgmv/ && cp python/sgmv/bench/*.py /tmp/w334/sgmv/bench/
export PYTHONPATH=/tmp/w334
cd tests
timeout 100 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "(off_the_grid or within_bounds or rank_8_prefill) and bf16 or table_of_ranks" > "$OUT/tests8.txt" 2>&1
echo "tests rc=$? $(tail -1 "$OUT/tests8.txt")"
cd ..
timeout 100 python3 -u benchmarks/dispatch_sweep.py "$OUT/offgrid8" bf16 PADDED_OFF_GRID_FUSED=1 \
  --repeat=2 --ops=add_lora --ranks=24,48,96 --shapes=4096x4096,8192x8192,4096x14336,3584x18944 \
  --batches=1x1,16x1,4x4,1x64,1x256,16x16,8x32 > "$OUT/offgrid8.txt" 2>&1
echo "sweep rc=$?"
