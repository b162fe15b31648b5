# NOTES entry 118: which launches of the 16-row prefill tile racecheck does not finish (scale.sh: one segment of 2
# rows did not in 45 s, of 1 row took 4 s; the 64-row tile took 5-7 s up to 44 rows). Sizes as
# racecheck_probe.py's (N*R: N segments of R rows). On main's kernels, from the repository root:
#   run(command="bash benchmarks/results/2026-12-01-racecheck-16row-tile/diagnose.sh dist_rec6", carry=["dist_rec6"])
w=$1
rm -rf /tmp/rc && python3 -m pip install -q --no-deps --no-index --target /tmp/rc "$w"/*.whl || exit 1
export PYTHONPATH=/tmp/rc
probe=benchmarks/sanitize/racecheck_probe.py
k16=sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8
python3 $probe $k16 2 2>&1 | tail -1 | tee "$OUT/diagnose.txt"
while read -r tool k s hw; do
  start=$SECONDS
  timeout 25 compute-sanitizer --tool $tool --kernel-name kns=sgmv_prefill python3 $probe $k "$s" $hw > /tmp/rc.txt 2>&1
  rc=$?
  echo "$tool $k $s $hw rc=$rc $((SECONDS - start)) s: $(grep -E 'matches|Error|SUMMARY' /tmp/rc.txt | tr '\n' ' ')" \
    | tee -a "$OUT/diagnose.txt"
done <<LIST
synccheck $k16 2
racecheck $k16 2*1
racecheck sgmv_prefill_bf16_r32_hany_w11m16n256u1_v8 2
racecheck sgmv_prefill_bf16_r64_hany_w11m16n256u1_v8 2
racecheck $k16 1 272 136
racecheck $k16 3
racecheck $k16 9
LIST
