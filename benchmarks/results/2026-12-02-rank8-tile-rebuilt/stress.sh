# The third call (NOTES entry 173), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-rank8-tile-rebuilt/stress.sh", carry=["dist_s173"])
# stress_shapes.py on rank 8's fp16 and bf16 16-row tiles and on rank 16's fp16 one (the kernel main ships), one
# process each under timeout; a run cut by its timeout (rc=124) ends at the launch that never ended.
set -o pipefail
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_s173/*.whl || exit 1
export PYTHONPATH=/tmp/rec
dir=benchmarks/results/2026-12-02-rank8-tile-rebuilt
for k in sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8 sgmv_prefill_fp16_r16_hany_w11m16n256u1_v8 \
         sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8; do
  (cd tests && timeout 70 python3 "../$dir/stress_shapes.py" 55 $k > "$OUT/stress-$k.txt" 2>&1)
  echo "rc=$? $k: $(tail -1 "$OUT/stress-$k.txt")"
done
