# NOTES entry 114: where the 64-row prefill kernel's excess global sectors come from (entry 108's ncu: ~128 a batch
# row). ncu's source page (SASS lines with their counters) of the r64 kernel on h4096 8192x8, bf16, on the wheel of
# the runs of record after entry 112 (dist_rec5):
#   run(command="bash benchmarks/results/2026-12-01-h200-ncu-source-held-stage/run-ncu-source.sh", carry=["dist_rec5"])
set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sR dist_rec5/*.whl
export PYTHONPATH=/tmp/sR
timeout 150 ncu --clock-control none -k regex:prefill -c 1 --section SourceCounters --page source --print-source sass \
  --csv python3 benchmarks/profile_cases.py prefill8192_r64 > $OUT/ncu-source-r64.csv 2> $OUT/ncu-source.err
echo rc $?; wc -c $OUT/ncu-source-r64.csv; gzip $OUT/ncu-source-r64.csv
