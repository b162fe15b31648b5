#!/bin/bash
# Entry 398 (device), call 6: call 5 found the 16-row _tb tile ~4% under dispatch's 32-row pick at h8192 r16 identical
# bs256 (one sample): fused_sweep over the full sweep's 20 identical bs256 cases (one adapter over 256 rows, the
# batches HANDOFF_TALL_MIN_MEAN_ROWS gives the 32-row tiles), bf16 and fp16 in turn, three runs each, on dist_E.
# Files: gpu-name.txt, tall-DTYPE-N.json, tall.log
# Usage (device): bash benchmarks/results/2026-12-06-s398/call6.sh   (carry dist_xz_E)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_E ] || python3 benchmarks/wheel_xz.py unpack dist_xz_E dist_E > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_E/*.whl || exit 1
cd /tmp
for n in 1 2 3; do
  for dt in bf16 fp16; do
    PYTHONPATH=/tmp/site timeout 150 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/tall-$dt-$n.json" $dt \
      identical_bs256 full >> "$OUT/tall.log" 2>&1 || echo "run $dt $n failed" | tee -a "$OUT/tall.log"
  done
done
