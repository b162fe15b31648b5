#!/bin/bash
# Entry 393 (device), call 3: the kept form. A = dist_B (main's default build at entry 392, 604 kernels), B = dist_B2
# (with rank 64's 8-warp 16-row tile, plain and for true ranks, and dispatch's HANDOFF_ONE_ROW_TILE_LEAST_ROWS; 608).
# B's GPU tests of the new kernels (every test file), racecheck of the bf16 plain one and memcheck of the bf16 ones;
# A B B A over the full sweep's rank-64 identical bs16 (the 4 moved a dtype) and distinct bs1 / uniform bs16 cases
# (controls); A B B A over the batches the CPU's picks move (one segment of 12-16 rows; ranks 64 and 48, five shapes;
# 8 rows and two tiles as controls); then, in the time left, test_gpu_one_launch.py's rank-64 tests on B.
# Files: gpu-name.txt, w8.tgz.   Usage (device): bash benchmarks/results/2026-12-06-s393/call3.sh
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for d in B B2; do python3 benchmarks/wheel_xz.py unpack dist_xz_$d dist_$d > /dev/null || exit 1; done
top=$OUT; OUT=$top/w8  # packed into w8.tgz at the end: a call brings back 8 files at most
pack() { tar -czf "$top/w8.tgz" -C "$top" w8 && rm -rf "$top/w8"; }
trap pack EXIT
mkdir -p "$OUT/ab" "$OUT/untimed"
bash benchmarks/ab_quick_builds.sh dist_B dist_B2 "$OUT/ab" "r64_hany_w8m16" \
  "r64_identical_bs16_,r64_distinct_bs1_,r64_uniform_bs16_" full
k=sgmv_fused_bf16_r64_hany_w8m16n256u2_v8
(cd tests && PYTHONPATH=/tmp/abq_B timeout 60 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused \
  python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "$k and not _ranks and \
  (two_column or (grid_handoff and 1032x1000-mixed) or (fused_shapes and 1032x1000-uniform))" 2>&1 | \
  grep -E "passed|failed|RACECHECK SUMMARY|Error" | tail -5) | tee "$OUT/racecheck-w8.txt"
(cd tests && PYTHONPATH=/tmp/abq_B timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m \
  pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "fused_bf16_r64_hany_w8m16 and (1032x1000 or two_column \
  or share_the_workspace)" 2>&1 | grep -E "passed|failed|ERROR SUMMARY" | tail -3) | tee "$OUT/memcheck-w8.txt"
cd /tmp && rm -rf /tmp/us /tmp/abq
for run in A1 B1 B2 A2; do
  site=/tmp/abq_A; [ "${run:0:1}" = B ] && site=/tmp/abq_B
  PYTHONPATH=$site timeout 100 python3 "$repo/benchmarks/dispatch_sweep.py" "/tmp/us/$run" bf16 HANDOFF_FLAT=1 \
    --ops=add_lora --batches=1x8,1x12,1x14,1x16,2x16 \
    --shapes=4096x4096,8192x8192,4096x14336,14336x4096,5120x5120 --ranks=64,48 > "/tmp/us-$run.log" 2>&1 \
    || echo "run $run failed: $(tail -2 /tmp/us-$run.log)"
  mkdir -p "/tmp/abq/$run" && cp "/tmp/us/$run/HANDOFF_FLAT=1/results.csv" "/tmp/abq/$run/results.csv"
  cp "/tmp/us/$run/HANDOFF_FLAT=1/results.csv" "$OUT/untimed/results-$run.csv"
done
python3 "$repo/benchmarks/ab_summary.py" /tmp/abq A1,A2 B1,B2 > "$OUT/untimed/ab-summary.txt"
tail -4 "$OUT/untimed/ab-summary.txt"
cd "$repo/tests" && PYTHONPATH=/tmp/abq_B timeout 150 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  test_gpu_one_launch_padded.py -k "r64 or r48 or r40 or r56" 2>&1 | tail -1 | tee "$OUT/one-launch-r40-64.txt"
