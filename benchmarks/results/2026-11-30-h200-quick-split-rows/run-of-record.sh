# Session 2026-11-30b call 5: entry 48's split rule (HANDOFF_MIN_CHUNKS 1, HANDOFF_MAX_SPLIT_ROWS 1024) validated
# on the full sweep against the old constants, then the GPU suite and the quick run of record with it (the wheel
# of the run of record, dist_rec7, its dispatch.py replaced by this tree's).
set -o pipefail
REPO=$PWD
rm -rf /tmp/site; python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_rec7/*.whl
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
export PYTHONPATH=/tmp/site
mkdir -p $OUT/sweeps; cd /tmp
timeout 110 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/swf bf16 HANDOFF_MIN_CHUNKS=4,1 --with=HANDOFF_MAX_SPLIT_ROWS=1073741824,1024 --ops=add_lora --full > /tmp/full.log 2>&1; grep -A400 "time_us per value" /tmp/full.log > $OUT/sweeps/full-bf16-split-rows.txt; wc -l $OUT/sweeps/full-bf16-split-rows.txt
cd $REPO/tests && timeout 220 python3 -m pytest -q . 2>&1 | tail -4 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
cd /tmp && rm -rf /tmp/quick && timeout 120 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -1 /tmp/bench.log
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/quick/gpu.txt
cp /tmp/bench.log /tmp/quick/bench.log; cd /tmp && tar czf $OUT/quick.tgz quick
