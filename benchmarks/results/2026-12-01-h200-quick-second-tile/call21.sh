# Call 21: NOTES entry 83 (dist_t3: a block's second column tile copied with its first at ranks 8-16; no cluster storage
# at ranks 32-64) against the kept build (dist_k): quick add_lora A B B A; then the whole GPU suite on dist_t3
# and the quick run of record.
set -o pipefail
REPO=$PWD
for v in A B; do rm -rf /tmp/s$v; done
python3 -m pip install -q --no-deps --no-index --target /tmp/sA dist_k/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sB dist_t3/*.whl
cd /tmp
for run in A1 B1 B2 A2; do
  PYTHONPATH=/tmp/s${run:0:1} timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab A1,A2 B1,B2 > $OUT/ab-summary.txt; grep median $OUT/ab-summary.txt
export PYTHONPATH=/tmp/sB
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
cd $REPO/tests && timeout 250 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -2 $OUT/gpu-suite.txt
cd /tmp && rm -rf /tmp/quick && timeout 200 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -2 /tmp/bench.log
cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; cd /tmp && tar czf $OUT/quick.tgz quick
