#!/bin/bash
# Entry 390 (prepared for a later session; not run): entry 388's 8-warp 16-row rank-128 tile on launches of one barrier
# only (one-barrier-w8-PREPARED.patch: codegen builds it plain and for true ranks, no twins; dispatch.py's
# HANDOFF_ONE_BARRIER_TILES keeps it off the flat grid and off launches of a barrier per row tile). A = main's default
# build (dist_A), B = the same with the patch applied (dist_B), both packed with wheel_xz.py. B's GPU tests of the new
# kernels; A B B A over the full sweep's rank-128 cases (the 6 a dtype that move, the rest as controls); the batches
# no sweep holds that the CPU's picks move (one-barrier launches: 1-2 segments of 16-64 rows, 4 of 4-16), A B B A with
# dispatch_sweep's --batches; then test_gpu_one_launch.py on B.
# Usage (device): bash benchmarks/results/2026-12-06-s386/call7.sh   (carry dist_xz_A and dist_xz_B)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in A B; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
mkdir -p "$OUT/ab" "$OUT/untimed"
bash benchmarks/ab_quick_builds.sh dist_A dist_B "$OUT/ab" \
  "fused_bf16_r128_hany_w8m16 or fused_fp16_r128_hany_w8m16" "r128_uniform_bs16,r128_identical,r128_skewed_bs16" full
cd /tmp && rm -rf /tmp/us /tmp/abq
for run in A1 B1 B2 A2; do
  site=/tmp/abq_A; [ "${run:0:1}" = B ] && site=/tmp/abq_B
  PYTHONPATH=$site timeout 100 python3 "$repo/benchmarks/dispatch_sweep.py" "/tmp/us/$run" bf16 HANDOFF_FLAT=1 \
    --ops=add_lora --batches=1x16,1x32,1x64,2x16,2x32,4x4,4x16 \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,5120x5120 --ranks=128,96 > "/tmp/us-$run.log" 2>&1 \
    || echo "run $run failed: $(tail -2 /tmp/us-$run.log)"
  mkdir -p "/tmp/abq/$run" && cp "/tmp/us/$run/HANDOFF_FLAT=1/results.csv" "/tmp/abq/$run/results.csv"
done
python3 "$repo/benchmarks/ab_summary.py" /tmp/abq A1,A2 B1,B2 > "$OUT/untimed/ab-summary.txt"
tail -6 "$OUT/untimed/ab-summary.txt"
cd "$repo" && bash benchmarks/run_of_record.sh dist_B suite-one-launch
