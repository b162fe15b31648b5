# Call 29 (entry 88): the 128-column fused kernels back to one slot ring (dist_x, the prepared patch applied) against
# the shipped build (dist_r): fused GPU tests on X, the r32 add_lora cases of the full sweep (A B B A), then the quick
# sweep's add_lora cases (A B B A).
set -o pipefail
REPO=$PWD
rm -rf /tmp/s_* /tmp/ab
for v in r x; do python3 -m pip install -q --no-deps --no-index --target /tmp/s_$v dist_$v/*.whl; done
(cd tests && PYTHONPATH=/tmp/s_x timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -2) > $OUT/gpu-tests-x.txt; tail -1 $OUT/gpu-tests-x.txt
cd /tmp
for run in r_1 x_1 x_2 r_2; do
  PYTHONPATH=/tmp/s_${run%_*} timeout 90 python3 -m sgmv bench --dtype bf16,fp16 --op add_lora --cases _r32_ --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab r_1,r_2 x_1,x_2 > $OUT/ab-summary-r32.txt; echo "r32: $(tail -1 $OUT/ab-summary-r32.txt)"
for run in r_1 x_1 x_2 r_2; do cp /tmp/ab/$run/results.csv $OUT/results-r32-$run.csv; done
cd $REPO && bash benchmarks/ab_quick_builds.sh dist_r dist_x $OUT
