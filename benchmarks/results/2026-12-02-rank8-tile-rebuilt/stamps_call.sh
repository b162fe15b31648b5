# Prepared for the next session (NOTES entry 173), not run: where rank 8's 16-row prefill tile waits when its launch
# never ends. Build the wheel on the CPU machine first (~1 min; the wait stamps and the rank-8 and rank-16 16-row
# tiles only), then from the repository root:
#   SGMV_NVCC_FLAGS=-DSGMV_PROBE_WAITS SGMV_EXTRA_TILES=1 \
#     SGMV_KERNELS="sgmv_prefill_*_r8_hany_w11m16n256u1_v8,sgmv_prefill_fp16_r16_hany_w11m16n256u1_v8" \
#     pip wheel -q --no-deps -w dist_stamps .
#   run(command="bash benchmarks/results/2026-12-02-rank8-tile-rebuilt/stamps_call.sh", carry=["dist_stamps"])
# wait_stamps.py on rank 8's fp16 and bf16 tiles until a launch hangs (then the waits of every unfinished block's
# warps), and on rank 16's fp16 tile for comparison; one process each under timeout.
set -o pipefail
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_stamps/*.whl || exit 1
export PYTHONPATH=/tmp/rec
for k in sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8 sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8 \
         sgmv_prefill_fp16_r16_hany_w11m16n256u1_v8; do
  (cd tests && timeout 90 python3 ../benchmarks/sanitize/wait_stamps.py $k 60 > "$OUT/stamps-$k.txt" 2>&1)
  echo "rc=$? $k: $(head -1 "$OUT/stamps-$k.txt")"
done
