# Session 2026-11-30c: rank 128 as two half-rank launches (dispatch.rank_split): the default wheel of c11e9a4 with
# this tree's Python package over it (no kernel changed); its GPU tests, then RANK_SPLIT=0,1 over the full sweep's
# r128 add_lora cases.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sR; python3 -m pip install -q --no-deps --no-index --target /tmp/sR dist_main/*.whl
cp python/sgmv/*.py /tmp/sR/sgmv/
export PYTHONPATH=/tmp/sR
cd $REPO/tests && timeout 150 python3 -m pytest -q -p no:cacheprovider --tb=short test_gpu_kernels.py -k "rank_halves or chained or graph" 2>&1 | tail -15 > $OUT/gpu-tests-halves.txt; tail -3 $OUT/gpu-tests-halves.txt
cd /tmp && timeout 300 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/sw128 bf16 RANK_SPLIT=0,1 --full --cases=_r128_ --ops=add_lora > /tmp/sw128.log 2>&1; echo rc=$?; grep -A70 "time_us per value" /tmp/sw128.log > $OUT/sweep-r128-bf16.txt; tail -3 /tmp/sw128.log
grep -h "error" /tmp/sw128/RANK_SPLIT=1/results.csv | head -1; python3 -c "
import csv; r=[x for x in csv.DictReader(open('/tmp/sw128/RANK_SPLIT=1/results.csv'))]; print('max error split', max(float(x['error']) for x in r))" | tee -a $OUT/sweep-r128-bf16.txt
