# Call 32 (entry 90): the prefill stage budget with entry 89's cap of 6 (prefill-only builds, SGMV_KERNELS=
# "sgmv_prefill_*"): A = the shipped 150 KB, W = 185 KB (r32 64-row 5 -> 6 stages, r64 64-row 4 -> 5, r64 16-row
# 3 -> 4), W2 = 220 KB (r32 64-row 6, r64 64-row 6, r64 16-row 5); r16 unchanged. Prefill GPU tests on W and W2, then
# benchmarks/ab_cases.py (the full sweep's prefill-kernel cases), both dtypes, in the order A W W2 W2 W A.
set -o pipefail
REPO=$PWD
rm -rf /tmp/p_* /tmp/abp
for v in a2 w w2; do python3 -m pip install -q --no-deps --no-index --target /tmp/p_$v dist_p$v/*.whl; done
for v in w w2; do
  (cd tests && PYTHONPATH=/tmp/p_$v timeout 120 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k prefill 2>&1 | grep -v "^  " | tail -2) > $OUT/gpu-tests-$v.txt; echo "$v: $(tail -1 $OUT/gpu-tests-$v.txt)"
done
for run in a2_1 w_1 w2_1 w2_2 w_2 a2_2; do
  PYTHONPATH=/tmp/p_${run%_*} timeout 80 python3 benchmarks/ab_cases.py /tmp/abp/$run bf16,fp16 > /tmp/abp-$run.log 2>&1 || echo "run $run failed"
done
for v in w w2; do python3 benchmarks/ab_summary.py /tmp/abp a2_1,a2_2 ${v}_1,${v}_2 > $OUT/ab-summary-$v.txt; echo "$v: $(tail -1 $OUT/ab-summary-$v.txt)"; grep "^kernel" $OUT/ab-summary-$v.txt; done
