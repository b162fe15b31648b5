# NOTES entry 118: how long racecheck takes over the 16-row prefill tile's test_prefill_shapes[16x8-negative] (700
# rows, 44 row tiles), which entries 116 and 117 cut at 30 s while the 64-row tile's passes in ~2 s; then ncu
# (ncu.sh beside it). On main's kernels, from the repository root:
#   run(command="bash benchmarks/results/2026-12-01-racecheck-16row-tile/call.sh dist_rec6", carry=["dist_rec6"])
set -o pipefail
w=$1
bash benchmarks/results/2026-12-01-ncu-16row-tile/ncu.sh "$w"
rm -rf /tmp/rc && python3 -m pip install -q --no-deps --no-index --target /tmp/rc "$w"/*.whl || exit 1
cd tests
for t in "sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8- and 16x8 and negative" \
         "sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8- and 16x8 and empty"; do
  start=$(date +%s)
  PYTHONPATH=/tmp/rc timeout 200 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 -m pytest \
    -q -p no:cacheprovider test_gpu_one_launch.py -k "test_prefill_shapes and $t" > /tmp/rc.txt 2>&1
  rc=$?
  echo "rc=$rc $(( $(date +%s) - start )) s: $t: $(grep -E 'passed|failed|RACECHECK SUMMARY' /tmp/rc.txt | tr '\n' ' ')" \
    | tee -a "$OUT/racecheck.txt"
  tail -20 /tmp/rc.txt >> "$OUT/racecheck-tail.txt"
done
