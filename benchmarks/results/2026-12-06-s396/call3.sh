#!/bin/bash
# Entry 396 (device), call 3: a cap on the grid handoff's splits (dispatch.HANDOFF_MAX_SPLITS, new; 65535 = no cap, as
# main) swept 65535, 96, 64, 48 over one segment of 1-16 rows and two of 4 and 8, five shapes, ranks 32, 64 and 128,
# bf16, the values in turn twice. Main's default build (dist_C2) with this tree's dispatch.py copied over the
# installed one (no kernel changes). Files: gpu-name.txt, HANDOFF_MAX_SPLITS.txt (times side by side), sweep.tgz.
# Usage (device): bash benchmarks/results/2026-12-06-s396/call3.sh   (carry dist_xz_C2)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_C2 ] || python3 benchmarks/wheel_xz.py unpack dist_xz_C2 dist_C2 > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_C2/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
cd /tmp && rm -rf /tmp/splits
PYTHONPATH=/tmp/site timeout 500 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/splits bf16 \
  HANDOFF_MAX_SPLITS=65535,96,64,48 --repeat=2 --ops=add_lora \
  --batches=1x1,1x2,1x3,1x4,1x6,1x8,1x12,1x16,2x4,2x8 \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,5120x5120 --ranks=32,64,128 > /tmp/splits.log 2>&1 \
  || echo "sweep failed: $(tail -3 /tmp/splits.log)"
cp /tmp/splits/HANDOFF_MAX_SPLITS.txt "$OUT/" 2>/dev/null
tar -czf "$OUT/sweep.tgz" -C /tmp splits splits.log
