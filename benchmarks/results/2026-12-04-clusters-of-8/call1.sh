#!/bin/bash
# Entry 327 (device): the 64-row prefill tile in clusters of 8 (three rounds of swaps of v).
# 1. The driver's count of clusters of 2, 4 and 8 of every 64-row prefill kernel (loader.resident_clusters).
# 2. test_gpu_prefill.py's tests of clusters of 8: the walk over many tiles, the hang test (7 clusters of 8, 100
#    launches), dispatch's mid-size batches in clusters of 4 and 8.
# 3. PREFILL_OCTET=0,1 (clusters of 4 or 8 where a batch's tile bound fits one wave of 8) on batches of 1-15
#    segments, 256-960 rows, ranks 32-128, 6 shapes, bf16, medians of 2 (every case checked before it is timed).
# Usage (device): bash benchmarks/results/2026-12-04-clusters-of-8/call1.sh dist_327
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
python3 - <<'PY' | tee "$OUT/resident-clusters.txt"
from sgmv import loader, manifest
dev = loader.device(0)
for k in manifest.load().kernels:
    if k.op == "prefill" and k.warp_rows == 64:
        print(k.name, [dev.resident_clusters(k, c) for c in (2, 4, 8)])
PY
(cd tests && timeout 240 python3 -m pytest -q -p no:cacheprovider test_gpu_prefill.py \
  -k "cluster8 or 7x8 or four_and_eight" 2>&1 | tail -15) > "$OUT/tests.txt"; tail -3 "$OUT/tests.txt"
timeout 300 python3 benchmarks/dispatch_sweep.py "$OUT/octet" bf16 PREFILL_OCTET=0,1 --repeat=2 --ops=add_lora \
  --ranks=32,64,128 --shapes=4096x4096,8192x8192,4096x14336,14336x4096,3584x18944,2048x2048 \
  --batches=1x256,1x512,2x256,1x960,4x192,8x64,15x64,3x300,2x448,5x128,6x150,10x96 > "$OUT/octet.txt" 2>&1
grep "^add_lora" "$OUT/octet.txt" | head -3; tail -3 "$OUT/octet.txt"
