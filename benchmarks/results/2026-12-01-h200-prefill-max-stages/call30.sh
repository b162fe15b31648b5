# Call 30 (entry 89): the prefill kernel's stages capped (PREFILL_MAX_STAGES 16 -> 6 in Y, 5 in Z; prefill-only
# builds, SGMV_KERNELS="sgmv_prefill_*") against the shipped code's (A): prefill GPU tests on Y and Z, then
# benchmarks/ab_cases.py (the full sweep's prefill-kernel cases), both dtypes, in the order A Y Z Z Y A.
set -o pipefail
REPO=$PWD
rm -rf /tmp/p_* /tmp/abp
for v in a y z; do python3 -m pip install -q --no-deps --no-index --target /tmp/p_$v dist_p$v/*.whl; done
for v in y z; do
  (cd tests && PYTHONPATH=/tmp/p_$v timeout 120 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k prefill 2>&1 | grep -v "^  " | tail -2) > $OUT/gpu-tests-$v.txt; echo "$v: $(tail -1 $OUT/gpu-tests-$v.txt)"
done
for run in a_1 y_1 z_1 z_2 y_2 a_2; do
  PYTHONPATH=/tmp/p_${run%_*} timeout 80 python3 benchmarks/ab_cases.py /tmp/abp/$run bf16,fp16 > /tmp/abp-$run.log 2>&1 || echo "run $run failed"
done
for v in y z; do python3 benchmarks/ab_summary.py /tmp/abp a_1,a_2 ${v}_1,${v}_2 > $OUT/ab-summary-$v.txt; echo "$v: $(tail -1 $OUT/ab-summary-$v.txt)"; grep "^kernel" $OUT/ab-summary-$v.txt; done
tar czf $OUT/ab-runs.tgz -C /tmp abp  # the four runs (3.5 MB, not kept in the repository)
