#!/bin/bash
# Entry 319 (device): the 64-row prefill tile in clusters of four (prefill.cuh: two rounds of pairwise swaps of v).
# 1. test_gpu_prefill.py over the 64-row kernels (every one changed; the 16-row ones are dist_315's byte for byte):
#    shapes, walks of many tiles in clusters of 1, 2 and 4, the never-hang launches (7 x 4 too), the new
#    mid-size test; 2. dispatch_sweep PREFILL_TALL_MAX_CLUSTER/PROBE_TALL 2/0 (the launch as before), 4/0 (this
#    tree), 4/1 (probe.patch: rank 128's 64-row tile offered at any fill, never the halves) over mid-size batches,
#    bf16; 3. the quick sweep's prefill cases at 2 and 4 (no launch changes there: the new SASS against s307's).
# (First run on dist_319 hung in the tests: round 1 did not wait for the partner's read of round 0; fixed in
# dist_319b.)
# Usage (device): bash benchmarks/results/2026-12-04-tall-clusters-of-4/call.sh dist_319b
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
NEW="cluster4 or 7x4 or mid_size"
(cd tests && timeout 130 python3 -u -m pytest -q -x -p no:cacheprovider test_gpu_prefill.py -k "m64 and ($NEW)" \
   > "$OUT/tests-new.txt" 2>&1); tail -2 "$OUT/tests-new.txt"
grep -q " passed" "$OUT/tests-new.txt" && ! grep -qE "[0-9]+ (failed|errors?)" "$OUT/tests-new.txt" || exit 1
(cd tests && timeout 150 python3 -u -m pytest -q -x -p no:cacheprovider test_gpu_prefill.py -k "m64 and not ($NEW)" \
   > "$OUT/tests.txt" 2>&1); tail -2 "$OUT/tests.txt"
grep -q " passed" "$OUT/tests.txt" && ! grep -qE "[0-9]+ (failed|errors?)" "$OUT/tests.txt" || exit 1
git apply benchmarks/results/2026-12-04-tall-clusters-of-4/probe.patch && cp python/sgmv/one_launch.py /tmp/rec/sgmv/
timeout 130 python3 benchmarks/dispatch_sweep.py "$OUT/mid" bf16 PREFILL_TALL_MAX_CLUSTER=2,4,4 --with=PROBE_TALL=0,0,1 \
  --ops=add_lora --ranks=64,128 --shapes=4096x4096,8192x8192,18944x3584 \
  --batches=1x1024,2x512,4x256,8x128,2x1024,8x256,16x128,32x64 > "$OUT/mid.txt" 2>&1
tail -2 "$OUT/mid.txt"
timeout 60 python3 benchmarks/dispatch_sweep.py "$OUT/quick" bf16 PREFILL_TALL_MAX_CLUSTER=2,4 --cases=prefill \
  --ops=add_lora > "$OUT/quick-prefill.txt" 2>&1
grep -v "^\[" "$OUT/quick-prefill.txt" | tail -12
