# NOTES entry 185: the runs of record on dist_k (the default wheel of ebbc729), then memcheck over the rank 8-16 fused
# kernels' tests and racecheck over the two-tile test on the four bf16 r8-r16 kernels entry 184 changed (non-flat):
#   run(command="bash benchmarks/results/2026-12-02-s184-record/call.sh", carry=["dist_k"])
# The suite ran in the call before (`bash benchmarks/run_of_record.sh dist_k suite`; suite/).
set -o pipefail
bash benchmarks/run_of_record.sh dist_k quick full
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
