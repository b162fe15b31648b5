set -uo pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_pA/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sW dist_pW90a/*.whl
(export PYTHONPATH=/tmp/sW; cd tests && timeout 80 python3 -m pytest -q -x --tb=short test_gpu_kernels.py -k "prefill and m64n128 and (r32 or r64)" 2>&1 | tail -25) > $OUT/gpu-tests.txt
tail -3 $OUT/gpu-tests.txt
for run in A1 B1 B2 A2; do
  s=/tmp/sA; [ ${run:0:1} = B ] && s=/tmp/sW
  PYTHONPATH=$s timeout 60 python3 benchmarks/ab_cases.py $OUT/ab/$run bf16 > $OUT/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 benchmarks/ab_summary.py $OUT/ab A1,A2 B1,B2 | tee $OUT/ab-summary.txt | grep -v distinct
