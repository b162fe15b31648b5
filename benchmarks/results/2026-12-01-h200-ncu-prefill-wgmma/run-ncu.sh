# NOTES entry 108: ncu of the 64-row prefill kernels after entry 106 (their shrink as wgmma), on the runs of record's
# wheel (dist_rec3): what bounds h4096 8192x8 at r64 and r16 now.
#   run(command="bash benchmarks/results/2026-12-01-h200-ncu-prefill-wgmma/run-ncu.sh", carry=["dist_rec3"])
set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sR dist_rec3/*.whl
export PYTHONPATH=/tmp/sR
timeout 200 ncu --clock-control none -k regex:prefill --section SpeedOfLight --section WarpStateStats \
  --section SchedulerStats --section MemoryWorkloadAnalysis --section SourceCounters \
  --metrics sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum \
  python3 benchmarks/profile_cases.py prefill8192_r64 prefill8192_r16 > $OUT/ncu-prefill.txt 2>&1
echo rc $?; grep -n "sgmv_prefill\|Duration\|tensor_op\|Issue Slots Busy\|DRAM Throughput\|L2 Cache Throughput\|Stall\|inst_executed" $OUT/ncu-prefill.txt | head -60
