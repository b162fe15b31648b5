# NOTES entry 130: ncu of the 32-row fused tile (entry 128, default since 129) on one adapter over 256 rows (h8192
# r64, profile_cases.py's identical256_r64_h8192), beside entry 127's async probe: entry 127's script as it is on the
# default wheel, then the tall kernel's source counters (where its warps stall, by SASS line). ~150 s.
#   run(command="bash benchmarks/results/2026-12-01-ncu-tall/ncu.sh dist_W", carry=["dist_W"])
set -o pipefail
repo=$PWD
w=$1
bash "$repo/benchmarks/results/2026-12-01-ncu-grouped/ncu.sh" "$w" || exit 1
(cd /tmp && PYTHONPATH=/tmp/ncu_$w timeout 100 ncu --clock-control none -k regex:sgmv_fused -c 1 \
  --section SourceCounters --section WarpStateStats -f -o "$OUT/tall" \
  python3 "$repo/benchmarks/profile_cases.py" identical256_r64_h8192 > "$OUT/ncu-tall-log.txt" 2>&1)
echo "report rc=$?"
ncu -i "$OUT/tall.ncu-rep" --page source --csv --print-source sass > "$OUT/ncu-source-identical256_r64_h8192.csv" 2>&1
echo "source rc=$? $(wc -l < "$OUT/ncu-source-identical256_r64_h8192.csv") lines"
