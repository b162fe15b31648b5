# NOTES entry 118: how unevenly the SMs' work ends in the 16-row prefill tile (ncu.sh: SMs active 83% of the
# elapsed cycles at distinct bs256 r16 and r32): each SM's active cycles, least, mean and most, against the launch's
# elapsed cycles. On main's kernels, from the repository root:
#   run(command="bash benchmarks/results/2026-12-01-ncu-16row-tile/spread.sh dist_rec6", carry=["dist_rec6"])
repo=$PWD
w=$1
M=sm__cycles_active.min,sm__cycles_active.avg,sm__cycles_active.max,sm__cycles_elapsed.max,gpu__time_duration.sum
rm -rf /tmp/ncu_$w && python3 -m pip install -q --no-deps --no-index --target /tmp/ncu_$w $w/*.whl || exit 1
for c in distinct256_r16 distinct64_r16_h8192 distinct256_r64; do
  (cd /tmp && PYTHONPATH=/tmp/ncu_$w timeout 60 ncu --clock-control none -k regex:prefill -c 1 --metrics $M \
    python3 "$repo/benchmarks/profile_cases.py" $c > /tmp/ncu.txt 2>&1)
  echo "$c rc=$?: $(grep -E '^    (sm__|gpu__)' /tmp/ncu.txt | awk '{print $1 "=" $NF}' | tr '\n' ' ')" \
    | tee -a "$OUT/spread.txt"
  grep -E "sgmv_prefill" /tmp/ncu.txt | tail -1 >> "$OUT/spread.txt"
done
