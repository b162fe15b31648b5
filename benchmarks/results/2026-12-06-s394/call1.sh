#!/bin/bash
# Entry 394 (device; prepared, not run): fewer h_in splits for one or two adapters over 1-12 rows. One build (main's
# default wheel, packed with wheel_xz.py as dist_xz_DIR); dispatch_sweep.py sweeps HANDOFF_MAX_SPLIT_ROWS (splits x rows
# a tile <= it: 1024 today; 512 and 256 halve and quarter the splits of these launches, as the flat twin's grid of
# entry 393's call 2 had them) over --batches of 1-2 segments at five shapes, ranks 32 and 64, bf16, the values in
# turn twice (--repeat=2). Files: gpu-name.txt, HANDOFF_MAX_SPLIT_ROWS.txt (times side by side), sweep.tgz.
# Usage (device): bash benchmarks/results/2026-12-06-s394/call1.sh DIR   (carry dist_xz_DIR)
set -u
repo=$PWD dir=${1:?wheel folder name, e.g. C2}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
python3 benchmarks/wheel_xz.py unpack "dist_xz_$dir" "dist_$dir" > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site "dist_$dir"/*.whl || exit 1
cd /tmp && rm -rf /tmp/splits
PYTHONPATH=/tmp/site timeout 400 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/splits bf16 \
  HANDOFF_MAX_SPLIT_ROWS=1024,512,256 --repeat=2 --ops=add_lora --batches=1x1,1x2,1x4,1x8,1x12,2x4,2x8 \
  --shapes=4096x4096,8192x8192,4096x14336,14336x4096,5120x5120 --ranks=32,64 > /tmp/splits.log 2>&1 \
  || echo "sweep failed: $(tail -3 /tmp/splits.log)"
cp /tmp/splits/HANDOFF_MAX_SPLIT_ROWS.txt "$OUT/" 2>/dev/null
tar -czf "$OUT/sweep.tgz" -C /tmp splits splits.log
