# Call 18 (entry 81): v straight into MMA fragments through L1 for tiles of up to 8 rows, staged above (B = dist_v4),
# and through L1 for every tile (C = dist_v3), against the kept build (A = dist_k).
# fused/handoff GPU tests on B, then quick add_lora A1 B1 C1 C2 B2 A2 and ab_summary A-B, A-C.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sA /tmp/sB /tmp/sC /tmp/ab
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_k/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sB dist_v4/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sC dist_v3/*.whl
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
for v in B; do
  (cd tests && PYTHONPATH=/tmp/s$v timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -3) > $OUT/gpu-tests-$v.txt
  echo "$v: $(tail -1 $OUT/gpu-tests-$v.txt)"
done
cd /tmp
for run in A1 B1 C1 C2 B2 A2; do
  PYTHONPATH=/tmp/s${run:0:1} timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 B1,B2 > $OUT/ab-summary-B.txt; tail -1 $OUT/ab-summary-B.txt
python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 C1,C2 > $OUT/ab-summary-C.txt; tail -1 $OUT/ab-summary-C.txt
python3 $REPO/benchmarks/ab_summary.py /tmp/ab B1,B2 C1,C2 > $OUT/ab-summary-BC.txt; tail -1 $OUT/ab-summary-BC.txt
cd /tmp && tar czf $OUT/ab.tgz ab
