# Call 10: wip/handoff-zero-early (dist_z: the other buffer zeroed behind the shrink's first loads) against the kept build:
set -o pipefail
REPO=$PWD
for v in A B; do rm -rf /tmp/s$v; done
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_final/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sB dist_z/*.whl
(cd tests && PYTHONPATH=/tmp/sB timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -2) | tee $OUT/gpu-tests-B.txt
cd /tmp
for run in A1 B1 B2 A2; do
  PYTHONPATH=/tmp/s${run:0:1} timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 B1,B2 | tee $OUT/ab-summary.txt | tail -50
