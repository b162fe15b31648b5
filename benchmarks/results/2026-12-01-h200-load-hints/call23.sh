# Call 23 (entry 84): cache hints, against the shipped build (A = dist_h): the fused shrink's loads with
# V1 L1::no_allocate, V2 L2::256B, V3 both, V4 = V1 with the cluster storage (a second column tile's copies) in every
# fused kernel; V5 the prefill kernel's cp.async with L2::256B. GPU tests of the changed kernels on each variant,
# then quick add_lora A V1 V2 V3 V4 V5 V5 V4 V3 V2 V1 A.
set -o pipefail
REPO=$PWD
rm -rf /tmp/s_* /tmp/ab
for v in h v1 v2 v3 v4 v5; do python3 -m pip install -q --no-deps --no-index --target /tmp/s_$v dist_$v/*.whl; done
for v in v1 v2 v3 v4 v5; do
  k="fused or handoff or graph or chain"; [ $v = v5 ] && k="prefill"
  (cd tests && PYTHONPATH=/tmp/s_$v timeout 100 python3 -m pytest -q -x -p no:cacheprovider test_gpu_kernels.py -k "$k" 2>&1 | grep -v "^  " | tail -2) > $OUT/gpu-tests-$v.txt; echo "$v: $(tail -1 $OUT/gpu-tests-$v.txt)"
done
cd /tmp
for run in h_1 v1_1 v2_1 v3_1 v4_1 v5_1 v5_2 v4_2 v3_2 v2_2 v1_2 h_2; do
  PYTHONPATH=/tmp/s_${run%_*} timeout 90 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
for v in v1 v2 v3 v4 v5; do python3 $REPO/benchmarks/ab_summary.py /tmp/ab h_1,h_2 ${v}_1,${v}_2 > $OUT/ab-summary-$v.txt; echo "$v: $(tail -1 $OUT/ab-summary-$v.txt)"; done
tar czf $OUT/ab.tgz ab
