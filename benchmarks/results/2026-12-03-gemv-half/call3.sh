#!/usr/bin/env bash
# NOTES entry 246: 4-warp gemv clusters of 4 (two blocks an SM) for 17-19 and 31-33 one-row segments, on head's
# default wheel with them (dist_436), from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-half/call3.sh dist_436", carry=["dist_436"])
# 1. the driver's resident clusters of every gemv kernel; 2. the gemv kernels' tests and the dispatch test;
# 3. memcheck over the new kernels' shapes; 4. dispatch_sweep GEMV_HALF_WARPS=4,0 at 17-19 and 31-33 segments at 8
# shapes, r16, bf16 and fp16, medians of 3.
# (The inline printer of the driver's cluster counts these calls ran is benchmarks/gemv_clusters.py now: same output.)
set -o pipefail
rm -rf /tmp/g && python3 -m pip install -q --no-deps --no-index --target /tmp/g "${1:?wheel folder}"/*.whl || exit 1
export PYTHONPATH=/tmp/g
python3 benchmarks/gemv_clusters.py | tee "$OUT/resident-clusters-436.txt"
(cd tests && timeout 120 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   -k "gemv or one_row_segments" 2>&1 | tail -4 | tee "$OUT/tests-436.txt")
(cd tests && timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_one_launch.py -k "gemv_shapes and w4m1n4u1" 2>&1 | tail -4 \
   | tee "$OUT/memcheck-436.txt")
for dtype in bf16 fp16; do
  timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/c4-$dtype" $dtype GEMV_HALF_WARPS=4,0 --ops=add_lora \
    --ranks=16 --repeat=3 --batches=17x1,18x1,19x1,31x1,32x1,33x1 \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,2048x2048,5120x5120,3584x18944,18944x3584 2>&1 \
    | grep -v "^wrote\|within" | tail -50 | tee "$OUT/c4-$dtype.txt"
done
