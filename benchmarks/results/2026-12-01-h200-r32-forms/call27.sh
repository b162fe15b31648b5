# Call 27 (entry 87): the rank-32 fused kernels in each form of entry 83 on the full sweep's r32 add_lora cases, both
# dtypes: H = the shipped build (dist_h: 128 columns with the cluster storage, 256 without), K = before entry 83
# (dist_k), T2 = every fused kernel with the storage and a second tile's slots (dist_t2), T3 = none at ranks 32-64
# (dist_t3). Order H K T2 T3 T3 T2 K H; no baselines.
set -o pipefail
REPO=$PWD
rm -rf /tmp/s_* /tmp/ab
for v in h k t2 t3; do python3 -m pip install -q --no-deps --no-index --target /tmp/s_$v dist_$v/*.whl; done
cd /tmp
for run in h_1 k_1 t2_1 t3_1 t3_2 t2_2 k_2 h_2; do
  PYTHONPATH=/tmp/s_${run%_*} timeout 90 python3 -m sgmv bench --dtype bf16,fp16 --op add_lora --cases _r32_ --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
tail -2 /tmp/ab-h_1.log
for v in k t2 t3; do python3 $REPO/benchmarks/ab_summary.py /tmp/ab h_1,h_2 ${v}_1,${v}_2 > $OUT/ab-summary-$v.txt; echo "$v: $(tail -1 $OUT/ab-summary-$v.txt)"; done
for run in h_1 k_1 t2_1 t3_1 t3_2 t2_2 k_2 h_2; do cp /tmp/ab/$run/results.csv $OUT/results-$run.csv; done
