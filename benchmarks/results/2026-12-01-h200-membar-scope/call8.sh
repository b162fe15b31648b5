# Call 8: membar probe, all modes (scope of the release's wait; bulk copies; plain loads), then the branch
# wip/handoff-arrive-before-warp0-copies (dist_wa) against the kept build (dist_final): fused/handoff/graph/chain GPU
# tests on B, quick add_lora A B B A.
set -o pipefail
REPO=$PWD
(cd benchmarks/latency && timeout 60 python3 membar_probe.py) 2>&1 | tee $OUT/membar-probe.txt
for v in A B; do rm -rf /tmp/s$v; done
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_final/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sB dist_wa/*.whl
(cd tests && PYTHONPATH=/tmp/sB timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -2) | tee $OUT/gpu-tests-B.txt
cd /tmp
for run in A1 B1 B2 A2; do
  PYTHONPATH=/tmp/s${run:0:1} timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 B1,B2 | tee $OUT/ab-summary.txt | tail -50
