# Session 2026-11-30c call 2: the prefill kernel's grid split: GPU tests of the prefill and handoff paths, then
# PREFILL_SPLIT=0,1 over the quick sweep's add_lora cases (prefill + fused kernels only in this wheel).
set -o pipefail
REPO=$PWD
rm -rf /tmp/sS; python3 -m pip install -q --no-deps --no-index --target /tmp/sS dist_split/*.whl
export PYTHONPATH=/tmp/sS
cd $REPO/tests && timeout 200 python3 -m pytest -q -x -p no:cacheprovider --tb=short test_gpu_kernels.py -k "prefill or handoff" 2>&1 | tail -25 > $OUT/gpu-tests-split.txt; tail -3 $OUT/gpu-tests-split.txt
cd /tmp && timeout 150 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/swb bf16 PREFILL_SPLIT=0,1 --ops=add_lora --repeat=2 > /tmp/swb.log 2>&1; grep -A60 "time_us per value" /tmp/swb.log > $OUT/sweep-bf16.txt; tail -3 /tmp/swb.log
timeout 80 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/swf fp16 PREFILL_SPLIT=0,1 --ops=add_lora > /tmp/swf.log 2>&1; grep -A60 "time_us per value" /tmp/swf.log > $OUT/sweep-fp16.txt; tail -3 /tmp/swf.log
