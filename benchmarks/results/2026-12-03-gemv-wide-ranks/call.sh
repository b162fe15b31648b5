#!/usr/bin/env bash
# NOTES entry 252, call 1 (device; from the repository root, the wheel carried packed as dist_252x):
# the gemv kernels' GPU tests, then the r32-r64 kernels forced on one-row batches and dispatch with and without them.
set -o pipefail
python3 benchmarks/wheel_xz.py unpack dist_252x dist_252 || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_252/*.whl || exit 1
export PYTHONPATH=/tmp/rec
here=$PWD
(cd tests && timeout 200 python3 -m pytest -q -p no:cacheprovider -x test_gpu_one_launch.py test_gpu_kernels.py -k gemv \
   > "$OUT/gemv-tests.txt" 2>&1); tail -3 "$OUT/gemv-tests.txt"
cd /tmp
for dt in bf16 fp16; do
  timeout 120 python3 "$here/benchmarks/fused_sweep.py" "$OUT/forced-$dt.json" $dt distinct_bs16 full gemv \
    > "$OUT/forced-$dt.txt" 2>&1; cat "$OUT/forced-$dt.txt"
done
timeout 200 python3 "$here/benchmarks/dispatch_sweep.py" "$OUT/ab" bf16 GEMV=0,1 --repeat=3 --ops=add_lora \
  --batches=12x1,16x1,20x1,24x1,30x1 --ranks=32,64 2>&1 | tail -45
