#!/bin/bash
# Entry 325 (device): ranks off the grid on the next rank's prefill variant for true ranks.
# 1. PADDED_PREFILL_OFF_GRID=0,1 (the launch pair against the padded prefill kernel), bf16, medians of 2: ranks 24,
#    48, 96 at 4096, 3584 -> 18944 and 14336 -> 4096 over 7 batches.
# 2. The GPU tests of padded ranks (test_gpu_one_launch.py -k "off_the_grid or rank_8_prefill") and the fixed chain
#    test (-k chained), on the wheel with this tree's Python.
# 3. compute-sanitizer memcheck over the off-grid test's bf16 cases of 4 layouts.
# Usage (device): bash benchmarks/results/2026-12-04-off-grid-ranks/call.sh dist_323
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
timeout 150 python3 -u benchmarks/dispatch_sweep.py "$OUT/offgrid" bf16 PADDED_PREFILL_OFF_GRID=0,1 --repeat=2 \
  --ops=add_lora --ranks=24,48,96 --shapes=4096x4096,3584x18944,14336x4096 \
  --batches=64x1,256x1,32x32,1x1024,8x256,1x4096,16x512 > "$OUT/offgrid.txt" 2>&1
grep "^add_lora" "$OUT/offgrid.txt"
cd tests
timeout 200 python3 -u -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "off_the_grid or rank_8_prefill or chained" > "$OUT/tests.txt" 2>&1; echo "tests rc=$? $(tail -1 "$OUT/tests.txt")"
timeout 200 compute-sanitizer --tool memcheck --error-exitcode 9 python3 -m pytest -q -p no:cacheprovider \
  test_gpu_one_launch.py -k "off_the_grid and bf16 and (256 or 4096 or 2100 or 700)" > "$OUT/memcheck.txt" 2>&1
echo "memcheck rc=$? $(grep -c 'Invalid\|ERROR SUMMARY: [1-9]' "$OUT/memcheck.txt") $(tail -1 "$OUT/memcheck.txt")"
