set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_pA/*.whl
export PYTHONPATH=/tmp/sA
timeout 400 ncu --clock-control none -k regex:prefill --section SpeedOfLight --section ComputeWorkloadAnalysis \
  --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis --section MemoryWorkloadAnalysis_Tables \
  --section SourceCounters \
  --metrics sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,sm__inst_executed_pipe_tensor_op_hmma.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,sm__cycles_elapsed.avg \
  python3 benchmarks/profile_cases.py prefill8192_r64 prefill4096_r64 prefill8192_r16 distinct256_r16 > $OUT/ncu-prefill.txt 2>&1
echo rc $?; grep -n "sgmv_prefill\|Duration\|hmma\|Tensor\|Issue Slots Busy\|DRAM Throughput\|L2 Cache Throughput\|Compute (SM) Throughput\|Stall\|No Eligible\|Bank" $OUT/ncu-prefill.txt | head -120
