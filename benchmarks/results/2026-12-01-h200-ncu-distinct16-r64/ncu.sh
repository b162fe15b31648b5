# Call 14: ncu of the grid handoff on one adapter per row at bs16, rank 64 (h4096 1.12x, h8192 1.24x their targets,
# ~1.8x their floors: the bytes dominate there), on the kept build (dist_k); both launches of each case profiled.
set -o pipefail
rm -rf /tmp/sK; python3 -m pip install -q --no-deps --no-index --target /tmp/sK dist_k/*.whl
export PYTHONPATH=/tmp/sK
timeout 300 ncu --clock-control none -k regex:fused --section SpeedOfLight --section MemoryWorkloadAnalysis \
  --section WarpStateStats --section SchedulerStats --section Occupancy --section LaunchStats --section SourceCounters \
  --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_bytes.sum,sm__cycles_elapsed.avg,gpu__time_duration.sum \
  python3 benchmarks/profile_cases.py distinct16_r64_h8192 distinct16_r64 > $OUT/ncu-distinct16-r64.txt 2>&1
echo rc $?; grep -n "sgmv_fused\|Duration\|DRAM Throughput\|dram__bytes\|L2 Cache Throughput\|Memory Throughput\|Grid Size\|Registers\|Achieved Occupancy\|Issue Slots Busy\|No Eligible\|Warp Cycles Per Issued\|gpu__time" $OUT/ncu-distinct16-r64.txt | head -80
