# Call 6: the fused kernel's shrink with half the chunks in flight per warp (r16 unroll 4 -> 2, r64 2 -> 1; dist_u)
# against the kept build (dist_final): the fused, handoff, graph and chain GPU tests on B, then quick add_lora A B B A.
set -o pipefail
REPO=$PWD
for v in A B; do rm -rf /tmp/s$v; done
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_final/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sB dist_u/*.whl
(cd tests && PYTHONPATH=/tmp/sB timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -2) | tee $OUT/gpu-tests-B.txt
for f in /tmp/sB/sgmv/kernels/sgmv_fused_bf16_*.fatbin; do cuobjdump --dump-resource-usage "$f" 2>&1 | awk '/ Function /{name = $2} /REG:/{print name, $1, $2, $4}'; done | tee $OUT/resources-B.txt
cd /tmp
for run in A1 B1 B2 A2; do
  PYTHONPATH=/tmp/s${run:0:1} timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 B1,B2 | tee $OUT/ab-summary.txt | tail -50
