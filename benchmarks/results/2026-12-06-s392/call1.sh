#!/bin/bash
# Entry 392 (device), call 1. On an H200 first: the run of record of main's default build (dist_A, 600 kernels; the
# final tree of entry 391) through run_of_record.sh quick full. Then, on any card, entry 390's measurement (A = dist_A,
# B = dist_B: main plus one-barrier-w8-PREPARED.patch): B's GPU tests of the new kernels, racecheck of the bf16 plain
# one and memcheck of the bf16 new kernels (entry 388's selections), A B B A over the full sweep's rank-128 uniform
# bs16, identical and skewed bs16 cases and over the untimed one-barrier batches (the rest of call7.sh of s386).
# Files: gpu-name.txt, record/ (H200 only: gpu.txt, versions.txt, quick.tgz, full.tgz), w8.tgz (the rest).
# Usage (device): bash benchmarks/results/2026-12-06-s392/call1.sh   (carry dist_xz_A and dist_xz_B)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in A B; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
if grep -q H200 "$OUT/gpu-name.txt"; then
  mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_A quick full
fi
top=$OUT; OUT=$top/w8  # packed into w8.tgz at the end: a call brings back 8 files at most
pack() { tar -czf "$top/w8.tgz" -C "$top" w8 && rm -rf "$top/w8"; }
trap pack EXIT
mkdir -p "$OUT/ab" "$OUT/untimed"
bash benchmarks/ab_quick_builds.sh dist_A dist_B "$OUT/ab" \
  "fused_bf16_r128_hany_w8m16 or fused_fp16_r128_hany_w8m16" "r128_uniform_bs16,r128_identical,r128_skewed_bs16" full
k=sgmv_fused_bf16_r128_hany_w8m16n256u1_v8
(cd tests && PYTHONPATH=/tmp/abq_B timeout 120 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused \
  python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "$k and not _flat and not _tb and \
  (two_column or (grid_handoff and 1032x1000-mixed) or (fused_shapes and 1032x1000-uniform))" 2>&1 | \
  grep -E "passed|failed|RACECHECK SUMMARY|Error" | tail -5) | tee "$OUT/racecheck-w8.txt"
(cd tests && PYTHONPATH=/tmp/abq_B timeout 120 compute-sanitizer --tool memcheck --report-api-errors no python3 -m \
  pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "fused_bf16_r128_hany_w8m16 and (1032x1000 or two_column \
  or share_the_workspace)" 2>&1 | grep -E "passed|failed|ERROR SUMMARY" | tail -3) | tee "$OUT/memcheck-w8.txt"
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
