# Call 5: V5 (prefill stages: as many as fit 110 KB, at least 4) against the kept 150 KB (V2), both default builds;
# benchmarks/ab_cases.py A B B A, then, if V5 is ahead (median B/A <= 0.995), the GPU suite and the quick run of record on it.
set -o pipefail
REPO=$PWD
for v in A B; do rm -rf /tmp/q$v; done
python3 -m pip install -q --no-deps --no-index --target /tmp/qA dist_final/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/qB dist_v5/*.whl
(cd tests && PYTHONPATH=/tmp/qB timeout 120 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k prefill 2>&1 | grep -v "^  " | tail -2) | tee $OUT/gpu-tests-V5.txt
for run in A1 B1 B2 A2; do
  PYTHONPATH=/tmp/q${run:0:1} timeout 60 python3 benchmarks/ab_cases.py /tmp/abq/$run bf16,fp16 > /tmp/abq-$run.log 2>&1 || echo "run $run failed"
done
python3 benchmarks/ab_summary.py /tmp/abq A1,A2 B1,B2 > $OUT/ab-summary-V5.txt; cat $OUT/ab-summary-V5.txt
med=$(grep -o "median B/A [0-9.]*" $OUT/ab-summary-V5.txt | awk '{print $3}')
if python3 -c "import sys; sys.exit(0 if float('$med') <= 0.995 else 1)"; then
  export PYTHONPATH=/tmp/qB
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
  cd $REPO/tests && timeout 300 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -2 $OUT/gpu-suite.txt
  cd /tmp && rm -rf /tmp/quick && timeout 220 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -2 /tmp/bench.log
  cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; cd /tmp && tar czf $OUT/quick.tgz quick
fi
