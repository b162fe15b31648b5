# NOTES entry 189: the runs of record on dist_n (the default wheel after entry 188, whose SASS is dist_t5's in all
# 416 kernels), then memcheck over the rank 8-16 fused kernels' tests and racecheck over the two-tile test on the four
# bf16 r8-r16 kernels entry 188 changed:
#   run(command="bash benchmarks/results/2026-12-02-s188-record/call.sh", carry=["dist_n"])
# The whole GPU suite ran on dist_t5 in entry 188's call (../2026-12-02-second-tile-early-confirm/gpu-suite.txt).
set -o pipefail
bash benchmarks/run_of_record.sh dist_n quick full
mkdir -p "$OUT/sanitizers"
cd tests || exit 1
export PYTHONPATH=/tmp/rec
timeout 200 compute-sanitizer --tool memcheck --report-api-errors no --kernel-name kns=sgmv_fused \
  python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "fused and (_r8_ or _r16_)" 2>&1 |
  grep -v "^  " | tail -30 > "$OUT/sanitizers/memcheck.txt"; echo "memcheck rc=$?" >> "$OUT/sanitizers/memcheck.txt"
for k in sgmv_fused_bf16_r8_hany_w4m16n256u4_v8 sgmv_fused_bf16_r8_hany_w8m16n512u4_v8 \
         sgmv_fused_bf16_r16_hany_w4m16n256u4_v8 sgmv_fused_bf16_r16_hany_w8m16n512u4_v8; do
  out=$(timeout 90 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused python3 -m pytest -q \
        -p no:cacheprovider "test_gpu_one_launch.py::test_fused_handoff_blocks_of_two_column_tiles[$k]" 2>&1)
  echo "rc=$? $k: $(grep -E 'passed|failed|RACECHECK SUMMARY|Error' <<<"$out" | tr '\n' ' ')" \
    >> "$OUT/sanitizers/racecheck.txt"
done
cat "$OUT/sanitizers/memcheck.txt" "$OUT/sanitizers/racecheck.txt" | tail -12
