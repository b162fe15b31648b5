#!/usr/bin/env bash
# NOTES entry 241: the gemv kernel (gemv.cuh) on the GPU, on a default wheel, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-kernel/call.sh DIR", carry=["DIR"])
# its tests with the dispatch tests near it and the public ops' tests; the sweep that sets its limits
# (GEMV_MAX_SEGMENTS 0 = off against on, one-row batches of 1-64 segments at the four sweep shapes, r16, both dtypes,
# once each); memcheck over its tests.
set -o pipefail
rm -rf /tmp/gk && python3 -m pip install -q --no-deps --no-index --target /tmp/gk "${1:?wheel folder}"/*.whl || exit 1
export PYTHONPATH=/tmp/gk
root=$PWD
(cd tests && timeout 150 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   test_gpu_ops.py -k "gemv or one_row_segments or wide_h_out_batches or test_gpu_ops" 2>&1 | tail -15 \
   | tee "$OUT/tests.txt")
for dtype in bf16 fp16; do
  timeout 90 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dtype" $dtype GEMV_MAX_SEGMENTS=0,1073741824 \
    --ops=add_lora --batches=1x1,2x1,4x1,8x1,16x1,24x1,32x1,48x1,64x1 --ranks=16 --repeat=1 2>&1 | tail -45 \
    | tee "$OUT/sweep-$dtype.txt"
done
(cd tests && timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_one_launch.py -k "gemv_shapes and (4096x4096 or 8x24 or 1040x8) or gemv_rows" \
   2>&1 | tail -4 | tee "$OUT/memcheck.txt")
