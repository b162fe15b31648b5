# Call 2: H1 (handoff: blocks without a column tile arrive without waiting) A/B on the quick sweep; then the
# prefill variants V1 (y stored evict-first, st.global.cs) and V2 (150 KB of stages) against the prefill build of HEAD.
set -o pipefail
REPO=$PWD
for v in A B; do rm -rf /tmp/s$v; done
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_w/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sB dist_h1/*.whl
(cd tests && PYTHONPATH=/tmp/sB timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -4) | tee $OUT/gpu-tests-h1.txt
cd /tmp
for run in A1 B1 B2 A2; do
  PYTHONPATH=/tmp/s${run:0:1} timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 B1,B2 | tee $OUT/ab-summary-h1.txt | tail -48
cd $REPO
for v in V1 V2; do
  mkdir -p $OUT/$v
  timeout 170 bash benchmarks/ab_prefill_builds.sh dist_pA dist_p$v $OUT/$v > $OUT/$v/log.txt 2>&1
  rm -f $OUT/$v/ab-runs.tgz; grep -E "median|h4096_r16_prefill|h4096_r64_prefill|distinct_bs64|passed|failed" $OUT/$v/ab-summary.txt | head -20
done
# H1 with the tie-break toward more blocks (entry 70 measured it before H1), r64 cases
rm -rf /tmp/sM; python3 -m pip install -q --no-deps --no-index --target /tmp/sM dist_h1/*.whl && cp python/sgmv/*.py /tmp/sM/sgmv/ && cp dist_run/dispatch_overlay.py /tmp/sM/sgmv/dispatch.py
PYTHONPATH=/tmp/sM timeout 120 python3 benchmarks/dispatch_sweep.py /tmp/mb bf16 HANDOFF_MORE_BLOCKS=0,1 --cases=_r64_ --ops=add_lora --repeat=2 > $OUT/h1-more-blocks-bf16.txt 2>&1; grep -A 30 "time_us per value" $OUT/h1-more-blocks-bf16.txt
