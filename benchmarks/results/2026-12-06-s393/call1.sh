#!/bin/bash
# Entry 393 (device), call 1: rank 64's 16-row 256-column fused tile also as 8 warps (32 columns a warp, one block an
# SM; r64-w8-short-PROBE.patch). dist_P: a build of the probe's rank-64 kernels only (fused plain, _tb, _flat; prefill;
# the pair's shrink and expand at h4096, h8192 and any h; both dtypes). The new kernels' GPU tests, then
# fused_sweep.py (every one-launch kernel of the rank forced, beside dispatch's pick and the pair) over the quick
# sweep's rank-64 cases, both dtypes, and the full sweep's, bf16.
# Files: gpu-name.txt, tests.txt, quick-bf16.txt, quick-fp16.txt, full-bf16.txt (and their .json in sweeps.tgz).
# Usage (device): bash benchmarks/results/2026-12-06-s393/call1.sh   (carry dist_xz_P)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
python3 benchmarks/wheel_xz.py unpack dist_xz_P dist_P > /dev/null || exit 1
rm -rf /tmp/siteP && python3 -m pip install -q --no-deps --no-index --target /tmp/siteP dist_P/*.whl || exit 1
(cd tests && PYTHONPATH=/tmp/siteP timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "r64_hany_w8m16" 2>&1 | tail -2) | tee "$OUT/tests.txt"
mkdir -p /tmp/sw && cd /tmp
for run in "quick bf16" "quick fp16" "full bf16"; do
  set -- $run
  PYTHONPATH=/tmp/siteP timeout 150 python3 "$repo/benchmarks/fused_sweep.py" "/tmp/sw/$1-$2.json" $2 _r64_ $1 \
    > "$OUT/$1-$2.txt" 2>&1 || echo "$run failed: $(tail -2 "$OUT/$1-$2.txt")"
done
tar -czf "$OUT/sweeps.tgz" -C /tmp sw
