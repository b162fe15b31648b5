#!/bin/bash
# Entry 393 (device), call 2: fused_sweep.py's FEW_TILE_BATCHES (one to three 16-row tiles; five shapes) at rank 64,
# bf16, on dist_P (call 1's build), then the full sweep's rank-64 identical bs16 cases again (call 1's largest gains).
# Files: gpu-name.txt, few-bf16.txt, again-bf16.txt, sweeps.tgz.
# Usage (device): bash benchmarks/results/2026-12-06-s393/call2.sh   (carry dist_xz_P)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
python3 benchmarks/wheel_xz.py unpack dist_xz_P dist_P > /dev/null || exit 1
rm -rf /tmp/siteP && python3 -m pip install -q --no-deps --no-index --target /tmp/siteP dist_P/*.whl || exit 1
mkdir -p /tmp/sw && cd /tmp
PYTHONPATH=/tmp/siteP timeout 200 python3 "$repo/benchmarks/fused_sweep.py" /tmp/sw/few-bf16.json bf16 _r64_ few \
  > "$OUT/few-bf16.txt" 2>&1 || echo "few failed: $(tail -2 "$OUT/few-bf16.txt")"
PYTHONPATH=/tmp/siteP timeout 100 python3 "$repo/benchmarks/fused_sweep.py" /tmp/sw/again-bf16.json bf16 \
  _r64_identical_bs16 full > "$OUT/again-bf16.txt" 2>&1 || echo "again failed: $(tail -2 "$OUT/again-bf16.txt")"
tar -czf "$OUT/sweeps.tgz" -C /tmp sw
