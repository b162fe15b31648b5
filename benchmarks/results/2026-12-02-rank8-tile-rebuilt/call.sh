# Rank 8's own 16-row prefill tile (NOTES entry 173) on the GPU, from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-rank8-tile-rebuilt/call.sh", carry=["dist_s173"])
# dist_s173 is the tree's wheel (416 kernels). The GPU tests that run rank 8's prefill kernels (the padded path under
# both PADDED_PREFILL_OWN_TILE values, each compiled kernel on its own, the prefill shapes), memcheck over the rank-8
# kernels' tests and racecheck on one small launch of each, then the full sweep's rank-8 add_lora cases with
# PADDED_PREFILL_OWN_TILE 0 (rank 16's variant for true ranks, as before) and 1, twice each, bf16 and fp16.
set -o pipefail
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_s173/*.whl || exit 1
export PYTHONPATH=/tmp/rec
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
(cd tests && timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_kernels.py \
   -k "rank_8 or prefill_bf16_r8 or prefill_fp16_r8" > "$OUT/tests.txt" 2>&1)
echo "tests rc=$? $(tail -1 "$OUT/tests.txt")"
(cd tests && timeout 150 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_kernels.py test_gpu_one_launch.py -k "prefill_bf16_r8 or (rank_8 and 256-distinct)" \
   > "$OUT/memcheck.txt" 2>&1)
echo "memcheck rc=$? $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")"
for k in sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8 sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8_b2; do
  (cd tests && timeout 60 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill \
     python3 ../benchmarks/sanitize/racecheck_probe.py $k 1,1,3 2>&1 | tail -3 | tr '\n' ' '; echo " rc=$? $k") \
    >> "$OUT/racecheck.txt"
done
cat "$OUT/racecheck.txt"
for d in bf16 fp16; do
  timeout 170 python3 benchmarks/dispatch_sweep.py "$OUT/$d" $d PADDED_PREFILL_OWN_TILE=0,1 --full --cases=_r8_ \
    --ops=add_lora --repeat=2 > "$OUT/sweep-$d.log" 2>&1
  echo "sweep $d rc=$?"; mv "$OUT/$d/PADDED_PREFILL_OWN_TILE.txt" "$OUT/own-tile-$d.txt"; rm -rf "$OUT/$d"
done
