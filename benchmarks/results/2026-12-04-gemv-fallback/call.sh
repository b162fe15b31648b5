#!/bin/bash
# Entry 306 (device): the gemv kernels' GPU tests (4-warp clusters of 2 new), the driver's count of resident clusters
# of each gemv kernel, then one_launch.GEMV_FALLBACK=0,1,2 (0: today's picks; 1: the widest one-wave 4-warp gemv
# kernel where no other pick holds; 2: that even where the prefill kernel takes the batch) over one-row batches of
# 20-132 segments, ranks 8 and 16, 7 shapes, bf16, medians of 2, on the installed wheel.
# Usage (device): bash benchmarks/results/2026-12-04-gemv-fallback/call.sh dist_306
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
(cd tests && timeout 100 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "gemv" 2>&1 | tail -3
 python3 -c "
from sgmv import loader, manifest
dev = loader.device(0)
for k in manifest.load().kernels:
    if k.op == 'gemv' and k.dtype == 'bf16':
        print(k.name, k.warps, k.gemv_cluster, dev.resident_clusters(k, k.gemv_cluster))
") > "$OUT/tests.txt" 2>&1
cat "$OUT/tests.txt"
timeout 400 python3 benchmarks/dispatch_sweep.py "$OUT/sw" bf16 GEMV_FALLBACK=0,1,2 \
  --batches=20x1,28x1,36x1,42x1,50x1,64x1,80x1,100x1,120x1,132x1 --ranks=8,16 --repeat=2 --ops=add_lora \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,18944x3584,5120x13824,2048x2048 > "$OUT/sweep_bf16.txt" 2>&1
tail -142 "$OUT/sweep_bf16.txt" | grep -v "^\[" | cut -c1-160
