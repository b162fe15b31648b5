# NOTES entry 127: ncu of today's fused handoff on one adapter over 256 rows (h8192 r64, profile_cases.py's
# identical256_r64_h8192) against staged_probe.cu's async form of 32-row groups (its first launch: 256 x 8192 r64):
# what the kernel does that the probe's data movement does not (warps, stalls, DRAM and L2 busy). ~120 s.
#   run(command="bash benchmarks/results/2026-12-01-ncu-grouped/ncu.sh dist_S", carry=["dist_S"])
set -o pipefail
repo=$PWD
w=$1
M=dram__bytes_read.sum,dram__bytes_write.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sectors_op_read.sum,lts__t_sectors_op_red.sum,lts__throughput.avg.pct_of_peak_sustained_elapsed,gpu__time_duration.sum,sm__warps_active.avg.per_cycle_active,smsp__inst_executed.sum
S="--section SpeedOfLight --section WarpStateStats --section SchedulerStats --section LaunchStats --section Occupancy"
rm -rf /tmp/ncu_$w && python3 -m pip install -q --no-deps --no-index --target /tmp/ncu_$w $w/*.whl || exit 1
(cd /tmp && PYTHONPATH=/tmp/ncu_$w timeout 100 ncu --clock-control none -k regex:sgmv_fused -c 1 $S --metrics $M \
  python3 "$repo/benchmarks/profile_cases.py" identical256_r64_h8192 > "$OUT/ncu-fused-identical256_r64_h8192.txt" 2>&1)
echo "fused rc=$? $(grep -E 'gpu__time_duration.sum' "$OUT/ncu-fused-identical256_r64_h8192.txt" | tail -1)"
(cd benchmarks/stream && nvcc -O3 -arch=sm_90 -lineinfo -o /tmp/staged_probe staged_probe.cu) || exit 1
timeout 100 ncu --clock-control none -k regex:probe_async -c 1 $S --metrics $M /tmp/staged_probe \
  > "$OUT/ncu-probe-async-256x8192.txt" 2>&1
echo "probe rc=$? $(grep -E 'gpu__time_duration.sum' "$OUT/ncu-probe-async-256x8192.txt" | tail -1)"
