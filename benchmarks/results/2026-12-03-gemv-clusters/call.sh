#!/usr/bin/env bash
# NOTES entry 242: the gemv kernel's GPU tests on the reviewed SASS (clusters of 2, 4 and 8), then clusters.py's
# sweep in both dtypes, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-clusters/call.sh DIR", carry=["DIR"])
set -o pipefail
here=benchmarks/results/2026-12-03-gemv-clusters
rm -rf /tmp/gk && python3 -m pip install -q --no-deps --no-index --target /tmp/gk "${1:?wheel folder}"/*.whl || exit 1
export PYTHONPATH=/tmp/gk
(cd tests && timeout 90 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   -k "gemv or one_row_segments" 2>&1 | tail -8 | tee "$OUT/tests.txt")
for dtype in bf16 fp16; do
  timeout 170 python3 $here/clusters.py "$OUT/sweep-$dtype" $dtype 8x1,12x1,16x1,24x1,32x1,48x1,64x1 \
    4096x4096,8192x8192,4096x14336,14336x4096 2 2>&1 | tail -32 | tee "$OUT/sweep-$dtype.txt"
done
