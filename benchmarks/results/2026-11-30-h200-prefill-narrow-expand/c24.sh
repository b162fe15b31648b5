# Session 2026-11-30c call 8: ncu memory counters of the prefill kernel's 16-row tile, r16 against r64 distinct bs256
# (h4096), main's prefill kernels (dist_pF): why r16's stages stream at ~3.4 TB/s and r64's at ~3.8.
set -o pipefail
REPO=$PWD
rm -rf /tmp/spF; python3 -m pip install -q --no-deps --no-index --target /tmp/spF dist_pF/*.whl
cd /tmp
M=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sectors_op_read.sum,lts__t_sectors_op_write.sum,lts__t_sector_op_read_hit_rate.pct,lts__throughput.avg.pct_of_peak_sustained_elapsed,l1tex__m_xbar2l1tex_read_bytes.sum,lts__t_requests_op_read.sum
for c in distinct256_r16 distinct256_r64; do
  PYTHONPATH=/tmp/spF timeout 80 ncu --clock-control none -k regex:prefill -c 1 --metrics $M python3 $REPO/benchmarks/profile_cases.py $c 2>&1 | grep -vE "^==PROF==|^==WARNING" | tail -16
done | tee $OUT/ncu-memory-r16-r64.txt
