#!/usr/bin/env bash
# NOTES entry 249, first call: the kernels with a barrier per row tile on the GPU, then dispatch_sweep of the
# threshold (never, 16, 4 row tiles) on the quick sweep's fused cases, both dtypes, medians of 2. The wheel: the
# default build of the change (`pip wheel -q --no-deps -C build-dir=build/k249 -w dist_249 .`).
#   run(command="bash benchmarks/results/2026-12-03-tile-barrier/call.sh dist_249", carry=["dist_249"])
set -o pipefail
wheel_dir=$1
repo=$PWD
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/w
(cd tests && timeout 240 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
   -k "_tb or barriers_per_row_tile or graphs_and_streams" > "$OUT/tests.txt" 2>&1)
tail -3 "$OUT/tests.txt"
cd /tmp
for dt in bf16 fp16; do
  timeout 150 python3 "$repo/benchmarks/dispatch_sweep.py" "$OUT/sweep-$dt" $dt HANDOFF_TILE_BARRIER_MIN_TILES=1000000,16,4 \
    --repeat=2 --ops=add_lora --cases=r64_distinct,r64_uniform,r64_identical,r16_uniform,r16_identical \
    > "$OUT/sweep-$dt.txt" 2>&1
  tail -45 "$OUT/sweep-$dt.txt"
done
