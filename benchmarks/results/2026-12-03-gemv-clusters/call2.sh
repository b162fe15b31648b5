#!/usr/bin/env bash
# NOTES entry 242, second call: the gemv tests with head's rule, the driver's resident clusters of the gemv kernels,
# and clusters.py's sweep at the segment counts between the first call's and on four more shapes, both dtypes, from
# the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-clusters/call2.sh DIR", carry=["DIR"])
set -o pipefail
here=benchmarks/results/2026-12-03-gemv-clusters
rm -rf /tmp/gk && python3 -m pip install -q --no-deps --no-index --target /tmp/gk "${1:?wheel folder}"/*.whl || exit 1
# head's Python with the wheel's kernels
rm -rf /tmp/pk && mkdir /tmp/pk && cp -r python/sgmv /tmp/pk/ && cp -r /tmp/gk/sgmv/kernels /tmp/pk/sgmv/
export PYTHONPATH=/tmp/pk
(cd tests && timeout 90 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   -k "gemv or one_row_segments" 2>&1 | tail -4 | tee "$OUT/tests.txt")
for dtype in bf16 fp16; do
  timeout 120 python3 $here/clusters.py "$OUT/between-$dtype" $dtype 10x1,13x1,14x1,20x1,28x1,36x1,40x1,56x1 \
    4096x4096,8192x8192,4096x14336,14336x4096 2 2>&1 | grep -v "^wrote\|within" | tail -40 \
    | tee "$OUT/between-$dtype.txt"
  timeout 120 python3 $here/clusters.py "$OUT/shapes-$dtype" $dtype 8x1,12x1,16x1,24x1,32x1,48x1 \
    2048x2048,5120x5120,3584x18944,18944x3584 2 2>&1 | grep -v "^wrote\|within\|resident" | tail -30 \
    | tee "$OUT/shapes-$dtype.txt"
done
