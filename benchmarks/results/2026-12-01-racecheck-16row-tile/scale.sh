# NOTES entry 118: racecheck's time over the 16-row prefill tile (r16, bf16) as the launch grows, against the 64-row
# tile on the same batches, with benchmarks/sanitize/racecheck_probe.py (16x8 h_in x h_out). A size list stops at
# its first timeout. On main's kernels, from the repository root:
#   run(command="bash benchmarks/results/2026-12-01-racecheck-16row-tile/scale.sh dist_rec6", carry=["dist_rec6"])
w=$1
rm -rf /tmp/rc && python3 -m pip install -q --no-deps --no-index --target /tmp/rc "$w"/*.whl || exit 1
export PYTHONPATH=/tmp/rc
probe=benchmarks/sanitize/racecheck_probe.py
python3 $probe sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8 "1*44" 2>&1 | tail -1 | tee "$OUT/plain.txt"
for k in sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8 sgmv_prefill_bf16_r16_hany_w11m64n128u1_v8; do
  for s in 1 "1*2" "1*4" "1*8" "1*16" "1*44"; do
    start=$SECONDS
    timeout 45 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 $probe $k "$s" \
      > /tmp/rc.txt 2>&1
    rc=$?
    line="$k $s rc=$rc $((SECONDS - start)) s:"
    echo "$line $(grep -E 'matches|Error|RACECHECK SUMMARY' /tmp/rc.txt | tr '\n' ' ')" | tee -a "$OUT/scale.txt"
    [ $rc = 124 ] && break
  done
done
