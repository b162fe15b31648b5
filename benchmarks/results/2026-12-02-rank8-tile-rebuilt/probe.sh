# The fourth call (NOTES entry 173), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-rank8-tile-rebuilt/probe.sh",
#       carry=["dist_probe_v1", "dist_probe_v2"])
# Two probe builds (probe/v1.patch and probe/v2.patch on b6ee3d2) of rank 8's 16-row tiles only
# (SGMV_KERNELS="sgmv_prefill_*_r8_hany_w11m16n256u1_v8"), each a one-line change to the kernel that stress.sh's runs
# hung in: v1 __syncwarp() after every wait of the consumers (full stages, the handed-over tile), v2 lanes 16-31 of
# the shrink's ldmatrix x2 of A given addresses within the stage (A's rows 0-7, as lanes 0-15; before, rows 8-15:
# past the stage, in the last stage onto the barriers).
# stress_shapes.py on each, fp16 then bf16, one process each under timeout (rc=124: cut, at a launch that never ended).
set -o pipefail
dir=benchmarks/results/2026-12-02-rank8-tile-rebuilt
for v in v1 v2; do
  rm -rf /tmp/rec_$v
  python3 -m pip install -q --no-deps --no-index --target /tmp/rec_$v dist_probe_$v/*.whl || exit 1
  for k in sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8:40 sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8:25; do
    (cd tests && PYTHONPATH=/tmp/rec_$v timeout $((${k#*:} + 12)) python3 "../$dir/stress_shapes.py" ${k#*:} ${k%:*} \
       > "$OUT/probe-$v-${k%:*}.txt" 2>&1)
    echo "$v rc=$? ${k%:*}: $(tail -1 "$OUT/probe-$v-${k%:*}.txt")"
  done
done
