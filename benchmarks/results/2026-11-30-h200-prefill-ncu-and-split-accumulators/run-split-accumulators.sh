set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_pA/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sR dist_pR/*.whl
(export PYTHONPATH=/tmp/sR; cd tests && timeout 150 python3 -m pytest -q --tb=line test_gpu_kernels.py -k prefill 2>&1 | grep -v "^  " | tail -8) > $OUT/tests-pR.txt
tail -2 $OUT/tests-pR.txt
for f in /tmp/sR/sgmv/kernels/*.fatbin; do echo "$(basename $f) $(cuobjdump --dump-resource-usage $f 2>&1 | grep -o "REG:[0-9]*\|STACK:[0-9]*\|LOCAL:[0-9]*" | paste -sd" ")"; done | tee $OUT/resources-pR.txt
for run in A1 B1 B2 A2; do
  s=/tmp/sA; [ ${run:0:1} = B ] && s=/tmp/sR
  PYTHONPATH=$s timeout 200 python3 benchmarks/ab_cases.py $OUT/ab/$run bf16 > $OUT/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 dist_run/ab_summary.py $OUT/ab A1,A2 B1,B2 | tee $OUT/ab-summary.txt
PYTHONPATH=/tmp/sA timeout 120 ncu --clock-control none -k regex:prefill -c 1 --section WarpStateStats --section SourceCounters --print-details all python3 benchmarks/profile_cases.py prefill8192_r64 > $OUT/ncu-stalls-r64.txt 2>&1
grep -i "stall\|smsp__pcsamp" $OUT/ncu-stalls-r64.txt | head -40
