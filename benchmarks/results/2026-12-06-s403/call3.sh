#!/bin/bash
# Entry 404 (device), call 3, on dist_G with this tree's dispatch.py: HANDOFF_TALL_PER_TILE_BELOW_RANK 0 against 32
# (rank 16's 32-row tile not taken on one segment where it would run one barrier and the 16-row tiles a barrier per
# row tile), one adapter over 248-288 rows at seven shapes, bf16 and fp16, medians of 3, each case checked against
# the float32 reference first. Files: gpu-name.txt, pt-DTYPE.txt (the tables), pt-sweep.tgz
# NOT RUN in entry 404 (too little device time left); with the rule kept at 32 over at most 16 row tiles of 16 rows,
# the sweep sets HANDOFF_TALL_PER_TILE_MAX_ROW_TILES=18 so that 272-288 rows (17-18 row tiles) move too.
# Usage (device): bash benchmarks/results/2026-12-06-s403/call3.sh   (carry dist_xz_G)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_G ] || python3 benchmarks/wheel_xz.py unpack dist_xz_G dist_G > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_G/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
rm -rf /tmp/pt && mkdir -p /tmp/pt && cd /tmp
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/site timeout 80 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/pt/pt-$dt $dt \
    HANDOFF_TALL_PER_TILE_BELOW_RANK=0,32 HANDOFF_TALL_PER_TILE_MAX_ROW_TILES=18 --repeat=3 --ops=add_lora \
    --batches=1x248,1x256,1x272,1x288 \
    --shapes=8192x8192,4096x4096,6144x6144,5120x5120,7168x7168,3072x8192,14336x4096 --ranks=16 \
    > /tmp/pt/pt-$dt.log 2>&1 || echo "sweep $dt failed: $(tail -n 3 /tmp/pt/pt-$dt.log)"
  cp /tmp/pt/pt-$dt/*.txt "$OUT/pt-$dt.txt"
done
rm -f /tmp/pt/*/*/plot.png && tar -czf "$OUT/pt-sweep.tgz" -C /tmp pt
