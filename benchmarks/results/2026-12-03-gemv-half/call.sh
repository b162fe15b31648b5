#!/usr/bin/env bash
# NOTES entry 243 (prepared, not run): the 4-warp gemv kernels in clusters of 8 (codegen's extra tiles; two blocks an
# SM) against the shipped rule, on a wheel of the default kernels plus every gemv kernel (dist_g4w: SGMV_EXTRA_TILES=1
# with SGMV_KERNELS = `python -m codegen list` and sgmv_gemv_*), from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-half/call.sh dist_g4w", carry=["dist_g4w"])
# 1. the driver's resident clusters of every gemv kernel; 2. the gemv tests (the 4-warp kernels among them) and the
# dispatch test; 3. dispatch_sweep, one-row r16 batches of 8-32 segments at the sweep's four shapes, bf16 and fp16,
# medians of 3, three columns: GEMV 0 (no gemv kernel), GEMV_WARPS 8 (head's rule) and GEMV_WARPS 4 (the 4-warp
# clusters of 8 wherever one wave holds them: the fill limits opened for both gemv columns, so column 8 is head's
# widest one-wave cluster of 8 warps); 4. memcheck over the gemv tests at clusters of 8.
# (The inline printer of the driver's cluster counts these calls ran is benchmarks/gemv_clusters.py now: same output.)
set -o pipefail
rm -rf /tmp/gk && python3 -m pip install -q --no-deps --no-index --target /tmp/gk "${1:?wheel folder}"/*.whl || exit 1
export PYTHONPATH=/tmp/gk
python3 benchmarks/gemv_clusters.py | tee "$OUT/resident-clusters.txt"
(cd tests && timeout 120 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   -k "gemv or one_row_segments" 2>&1 | tail -4 | tee "$OUT/tests.txt")
for dtype in bf16 fp16; do
  timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dtype" $dtype GEMV=0,1,1 --with=GEMV_WARPS=8,8,4 \
    GEMV_FULL_SM_PERCENT=0 GEMV_MIN_SM_PERCENT=0 --ops=add_lora --ranks=16 --repeat=3 \
    --batches=8x1,12x1,14x1,16x1,20x1,24x1,28x1,32x1 2>&1 | grep -v "^wrote\|within" | tail -34 \
    | tee "$OUT/sweep-$dtype.txt"
done
(cd tests && timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_one_launch.py -k "gemv_shapes and n2u1" 2>&1 | tail -4 | tee "$OUT/memcheck.txt")
