# Entry 101's device call: the rank-128 fused kernel (grid handoff, 4 warps x 128 columns). A = dist_final (main
# before it, 24f2d83), B = dist_r128 (the change). B's GPU tests of the fused kernel, the handoff, the rank split and
# the random problems; then the full sweep's rank-128 add_lora cases, both dtypes, A B B A, and ab_summary.
# run(command="bash benchmarks/results/2026-12-01-h200-fused-r128/call.sh", carry=["dist_final", "dist_r128"])
set -uo pipefail
repo=$PWD
rm -rf /tmp/abq_A /tmp/abq_B /tmp/abq
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_A dist_final/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_B dist_r128/*.whl
(cd tests && PYTHONPATH=/tmp/abq_B timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py \
  -k "fused or handoff or rank_halves or random or graph or chain" 2>&1 | grep -v "^  " | tail -3) > $OUT/gpu-tests.txt
tail -1 $OUT/gpu-tests.txt
cd /tmp
for run in A1 B1 B2 A2; do
  site=/tmp/abq_A; [ "${run:0:1}" = B ] && site=/tmp/abq_B
  PYTHONPATH=$site timeout 100 python3 -m sgmv bench --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs \
    --cases _r128_ --out /tmp/abq/$run > /tmp/abq-$run.log 2>&1 || echo "run $run failed"
  mkdir -p $OUT/$run && cp /tmp/abq/$run/results.csv $OUT/$run/ 2>/dev/null
done
python3 $repo/benchmarks/ab_summary.py /tmp/abq A1,A2 B1,B2 > $OUT/ab-summary.txt
tail -1 $OUT/ab-summary.txt
