# Session 2026-11-30b call 3: the run of record after entry 47 (default build of 6dfc9b7's kernels): GPU suite,
# quick sweep bf16+fp16 with baselines and serving pairs.
set -o pipefail
REPO=$PWD
rm -rf /tmp/site; python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_rec7/*.whl
export PYTHONPATH=/tmp/site
cd tests && timeout 300 python3 -m pytest -q . 2>&1 | tail -4 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
cd /tmp && timeout 200 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -2 /tmp/bench.log
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/quick/gpu.txt
cp /tmp/bench.log /tmp/quick/bench.log; cd /tmp && tar czf $OUT/quick.tgz quick
# dispatch constants re-measured on the same build (quick sweep's add_lora cases, bf16, median of 2)
cd /tmp && mkdir -p $OUT/sweeps
timeout 120 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/sw bf16 HANDOFF_MIN_CHUNKS=4,2,1,8 --cases=_r64_ --ops=add_lora --repeat=2 > $OUT/sweeps/HANDOFF_MIN_CHUNKS.txt 2>&1; tail -24 $OUT/sweeps/HANDOFF_MIN_CHUNKS.txt
timeout 100 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/sw bf16 FUSED_BEST_BLOCKS=16,8,32 --cases=_r16_ --ops=add_lora --repeat=2 > $OUT/sweeps/FUSED_BEST_BLOCKS.txt 2>&1; tail -24 $OUT/sweeps/FUSED_BEST_BLOCKS.txt
