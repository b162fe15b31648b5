#!/usr/bin/env bash
# NOTES entry 245, call 2: head's default wheel with the 4-warp gemv clusters of 8 shipped (dist_434), from the
# repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-half/call2.sh dist_434", carry=["dist_434"])
# 1. the driver's resident clusters of every gemv kernel; 2. the gemv kernels' tests and the dispatch test;
# 3. dispatch_sweep GEMV_HALF_WARPS=4,0 (head's rule against the 8-warp kernels alone) on the one-row batches where
# the rule takes the 4-warp kernels (8-9 and 16-19 segments) at 8 shapes, r16, bf16 and fp16, medians of 3;
# 4. the quick and full runs of record (run_of_record.sh) -> $OUT/quick.tgz, full.tgz.
# (The inline printer of the driver's cluster counts these calls ran is benchmarks/gemv_clusters.py now: same output.)
set -o pipefail
wheel=${1:?wheel folder}
rm -rf /tmp/g && python3 -m pip install -q --no-deps --no-index --target /tmp/g "$wheel"/*.whl || exit 1
export PYTHONPATH=/tmp/g
python3 benchmarks/gemv_clusters.py | tee "$OUT/resident-clusters-434.txt"
(cd tests && timeout 120 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   -k "gemv or one_row_segments" 2>&1 | tail -4 | tee "$OUT/tests-434.txt")
for dtype in bf16 fp16; do
  timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/rule-$dtype" $dtype GEMV_HALF_WARPS=4,0 --ops=add_lora \
    --ranks=16 --repeat=3 --batches=8x1,9x1,16x1,17x1,18x1,19x1 \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,2048x2048,5120x5120,3584x18944,18944x3584 2>&1 \
    | grep -v "^wrote\|within" | tail -50 | tee "$OUT/rule-$dtype.txt"
done
unset PYTHONPATH
bash benchmarks/run_of_record.sh "$wheel" quick full
