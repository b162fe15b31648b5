#!/bin/bash
# Entry 403 (device), call 2, on dist_G: rank 16's tall tiles against the 16-row tiles (HANDOFF_TALL_MIN_MEAN_ROWS
# 128 against 100000: the latter gives every batch the 16-row tiles), one adapter over 192-512 rows at seven shapes,
# bf16 and fp16, medians of 3, each case checked against the float32 reference first; then the rest of the GPU suite
# (every file but test_gpu_one_launch*.py) on dist_G as built.
# Files: gpu-name.txt, r16-DTYPE.txt (the tables), r16-sweep.tgz, gpu-suite-rest.txt
# Usage (device): bash benchmarks/results/2026-12-06-s403/call2.sh   (carry dist_xz_G)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_G ] || python3 benchmarks/wheel_xz.py unpack dist_xz_G dist_G > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_G/*.whl || exit 1
rm -rf /tmp/r16 && mkdir -p /tmp/r16 && cd /tmp
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/site timeout 80 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/r16/r16-$dt $dt \
    HANDOFF_TALL_MIN_MEAN_ROWS=128,100000 --repeat=3 --ops=add_lora --batches=1x192,1x256,1x384,1x512 \
    --shapes=8192x8192,4096x4096,6144x6144,5120x5120,7168x7168,8192x3072,3072x8192 --ranks=16 \
    > /tmp/r16/r16-$dt.log 2>&1 || echo "sweep $dt failed: $(tail -n 3 /tmp/r16/r16-$dt.log)"
  cp /tmp/r16/r16-$dt/*.txt "$OUT/r16-$dt.txt"
done
rm -f /tmp/r16/*/*/plot.png && tar -czf "$OUT/r16-sweep.tgz" -C /tmp r16
cd "$repo"
bash benchmarks/run_of_record.sh dist_G suite-rest
rm -f "$OUT/gpu.txt" "$OUT/versions.txt"
