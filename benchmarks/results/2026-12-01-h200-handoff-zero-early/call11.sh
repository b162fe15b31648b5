# Call 11: where the grid handoff zeroes the other buffer. V1 (dist_z1): right after the shrink's accumulate, every rank;
# V2 (dist_z2): behind the shrink's first loads at ranks 32-64 (call 10's form), after the expand below (as main).
# Against the kept build (dist_final); fused/handoff/graph/chain GPU tests on both; quick add_lora A V1 V2 V2 V1 A.
set -o pipefail
REPO=$PWD
for v in A V1 V2; do rm -rf /tmp/s$v; done
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_final/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sV1 dist_z1/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sV2 dist_z2/*.whl
for v in V1 V2; do
  (cd tests && PYTHONPATH=/tmp/s$v timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -1) | tee $OUT/gpu-tests-$v.txt
done
cd /tmp
for run in A1 V1a V2a V2b V1b A2; do
  v=${run%?}; PYTHONPATH=/tmp/s$v timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
for v in V1 V2; do python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 ${v}a,${v}b > $OUT/ab-summary-$v.txt; grep median $OUT/ab-summary-$v.txt; done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab V1a,V1b V2a,V2b > $OUT/ab-summary-V2-vs-V1.txt; grep median $OUT/ab-summary-V2-vs-V1.txt
