set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_pA/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sQ dist_pQ/*.whl
(export PYTHONPATH=/tmp/sQ; cd tests && timeout 150 python3 -m pytest -q --tb=line test_gpu_kernels.py -k prefill 2>&1 | grep -v "^  " | tail -8) > $OUT/tests-pQ.txt
tail -2 $OUT/tests-pQ.txt
for f in /tmp/sQ/sgmv/kernels/*.fatbin; do echo "$(basename $f) $(cuobjdump --dump-resource-usage $f 2>&1 | grep -o "REG:[0-9]*\|STACK:[0-9]*\|LOCAL:[0-9]*" | paste -sd" ")"; done | tee $OUT/resources-pQ.txt
for run in A1 B1 B2 A2; do
  s=/tmp/sA; [ ${run:0:1} = B ] && s=/tmp/sQ
  PYTHONPATH=$s timeout 200 python3 benchmarks/ab_cases.py $OUT/ab/$run bf16 > $OUT/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 dist_run/ab_summary.py $OUT/ab A1,A2 B1,B2 | tee $OUT/ab-summary.txt
