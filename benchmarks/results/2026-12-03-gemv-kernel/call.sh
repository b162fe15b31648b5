#!/usr/bin/env bash
# NOTES entry 241: the gemv kernel (gemv.cuh) on the GPU, on a default wheel, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-kernel/call.sh DIR", carry=["DIR"])
# its tests and the dispatch test of it; the sweep that sets its limits (GEMV_MAX_SEGMENTS 0 = off against on,
# one-row batches of 1-64 segments at the four sweep shapes, r16, bf16, once); memcheck over its tests. (Cut to fit
# what device time was left after eight refused starts.)
set -o pipefail
rm -rf /tmp/gk && python3 -m pip install -q --no-deps --no-index --target /tmp/gk "${1:?wheel folder}"/*.whl || exit 1
export PYTHONPATH=/tmp/gk
root=$PWD
(cd tests && timeout 70 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   -k "gemv or one_row_segments" 2>&1 | tail -15 | tee "$OUT/tests.txt")
for dtype in bf16; do
  timeout 80 python3 benchmarks/dispatch_sweep.py "$OUT/sweep-$dtype" $dtype GEMV_MAX_SEGMENTS=0,1073741824 \
    --ops=add_lora --batches=1x1,2x1,4x1,8x1,16x1,24x1,32x1,48x1,64x1 --ranks=16 --repeat=1 2>&1 | tail -45 \
    | tee "$OUT/sweep-$dtype.txt"
done
(cd tests && timeout 45 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_one_launch.py -k "gemv_shapes and (4096x4096 or 8x24 or 1040x8) or gemv_rows" \
   2>&1 | tail -4 | tee "$OUT/memcheck.txt")
