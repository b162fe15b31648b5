#!/bin/bash
# Entry 322 (device; PREPARED, NOT RUN): where clusters of four of the 64-row prefill tile stop fitting one wave.
# 1. The driver's count of clusters of 1, 2 and 4 of every 64-row prefill kernel (loader.resident_clusters).
# 2. PREFILL_QUAD_MAX_TILES=24,40 (at 40 the tile-time model takes clusters of 4 up to 33 tiles) with
#    PREFILL_QUAD_MIN_RANK=64 (ranks 64 and 128), on 24-36 full tiles (1536-2304 rows, 1-12 segments of 64+ rows),
#    bf16, medians of 2: the first tile count at which clusters of 4 lose is the one-wave bound to put in place of
#    PREFILL_QUAD_MAX_TILES (as the driver's count, loader.resident_clusters, through launch_plan and the model).
# Usage (device): bash benchmarks/results/2026-12-04-tall-clusters-of-4/call3-prepared.sh dist_320
set -u
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
python3 - <<'PY' | tee "$OUT/resident-clusters.txt"
from sgmv import loader, manifest
dev = loader.device(0)
for k in manifest.load().kernels:
    if k.op == "prefill" and k.warp_rows == 64:
        print(k.name, [dev.resident_clusters(k, c) for c in (1, 2, 4)])
PY
timeout 400 python3 benchmarks/dispatch_sweep.py "$OUT/quad" bf16 PREFILL_QUAD_MAX_TILES=24,40 PREFILL_QUAD_MIN_RANK=64 \
  --repeat=2 --ops=add_lora --ranks=64,128 --shapes=4096x4096,8192x8192,18944x3584 \
  --batches=1x1600,1x1792,1x1984,1x2112,2x1024,4x512,8x256,12x160 > "$OUT/quad.txt" 2>&1
grep "^add_lora" "$OUT/quad.txt"
