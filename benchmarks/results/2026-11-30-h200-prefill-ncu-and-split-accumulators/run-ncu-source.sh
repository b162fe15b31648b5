python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_pA/*.whl
export PYTHONPATH=/tmp/sA
timeout 200 ncu --clock-control none -k regex:prefill -c 1 --section SourceCounters --page source --print-source sass --csv \
  python3 benchmarks/profile_cases.py prefill8192_r64 > $OUT/ncu-source-r64.csv 2>$OUT/ncu-source.err
echo rc $?; wc -c $OUT/ncu-source-r64.csv; head -3 $OUT/ncu-source-r64.csv | cut -c1-600; gzip -k $OUT/ncu-source-r64.csv
