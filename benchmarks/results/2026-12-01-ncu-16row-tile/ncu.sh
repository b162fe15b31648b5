# NOTES entry 118: ncu of the 16-row prefill tile on one adapter a row at 256 rows, h4096, r16 against r32 (entry
# 115 took r32 0.95x and r16 1.00-1.06x), on the wheel given (main's kernels: dist_rec6, the wheel of 62db919):
# where its consumer and producer warps stall, how busy the L2 and DRAM are, and the requests a sector. ~70 s.
#   run(command="bash benchmarks/results/2026-12-01-ncu-16row-tile/ncu.sh dist_rec6", carry=["dist_rec6"])
# (prepared with entry 117 for its wheel too; entry 117 was not kept, so main's alone)
set -o pipefail
repo=$PWD
w=$1
M=dram__bytes_read.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sectors_op_read.sum,lts__t_requests_op_read.sum,lts__throughput.avg.pct_of_peak_sustained_elapsed,gpu__time_duration.sum
rm -rf /tmp/ncu_$w && python3 -m pip install -q --no-deps --no-index --target /tmp/ncu_$w $w/*.whl || exit 1
for c in distinct256_r16 distinct256_r32; do
  (cd /tmp && PYTHONPATH=/tmp/ncu_$w timeout 100 ncu --clock-control none -k regex:prefill -c 1 \
    --section SpeedOfLight --section WarpStateStats --section SchedulerStats --section SourceCounters \
    --metrics $M python3 "$repo/benchmarks/profile_cases.py" $c > "$OUT/ncu-$w-$c.txt" 2>&1)
  echo "$w $c rc=$? $(grep -E 'gpu__time_duration.sum' "$OUT/ncu-$w-$c.txt" | tail -1)"
done
