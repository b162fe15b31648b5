#!/bin/bash
# Entry 387 (device), call 3: the batches no sweep holds that dist_22's dispatch moves to the 8-warp rank-128 tall
# tile (the CPU's picks over S x R batches: one adapter over 128-256 rows and two over 128, at five shapes; rank 96 on
# the kernels for true ranks), A (dist_17) B (dist_22) B A with dispatch_sweep's --batches (a no-op constant), then
# the GPU suite's test_gpu_one_launch.py on dist_22 (run_of_record.sh suite-one-launch).
# Usage (device): bash benchmarks/results/2026-12-06-s386/call3.sh
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in 17 22; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
rm -rf /tmp/abq_A /tmp/abq_B /tmp/us /tmp/abq
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_A dist_17/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_B dist_22/*.whl
cd /tmp
for run in A1 B1 B2 A2; do
  site=/tmp/abq_A; [ "${run:0:1}" = B ] && site=/tmp/abq_B
  PYTHONPATH=$site timeout 100 python3 "$repo/benchmarks/dispatch_sweep.py" "/tmp/us/$run" bf16 HANDOFF_FLAT=1 \
    --ops=add_lora --batches=1x128,1x160,1x192,1x256,2x128 \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,5120x5120 --ranks=128,96 > "/tmp/us-$run.log" 2>&1 \
    || echo "run $run failed: $(tail -2 /tmp/us-$run.log)"
  mkdir -p "/tmp/abq/$run" && cp "/tmp/us/$run/HANDOFF_FLAT=1/results.csv" "/tmp/abq/$run/results.csv"
done
mkdir -p "$OUT/untimed"
python3 "$repo/benchmarks/ab_summary.py" /tmp/abq A1,A2 B1,B2 > "$OUT/untimed/ab-summary.txt"
for run in A1 B1 B2 A2; do cp "/tmp/abq/$run/results.csv" "$OUT/untimed/results-$run.csv"; done
tail -8 "$OUT/untimed/ab-summary.txt"
cd "$repo" && bash benchmarks/run_of_record.sh dist_22 suite-one-launch
