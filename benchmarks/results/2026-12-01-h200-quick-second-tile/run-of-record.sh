# Call 22: the kept form of NOTES entry 83 (dist_h: the T3 layout, with the one-tile-a-warp kernels in T2's form,
# each kernel's SASS identical to an A/B-measured build): fused/handoff GPU tests, the quick run of record, then the
# whole GPU suite (each result written to $OUT as it comes).
set -o pipefail
REPO=$PWD
rm -rf /tmp/sH && python3 -m pip install -q --no-deps --no-index --target /tmp/sH dist_h/*.whl
export PYTHONPATH=/tmp/sH
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
(cd tests && timeout 100 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -2) > $OUT/gpu-tests-fused.txt; tail -1 $OUT/gpu-tests-fused.txt
cd /tmp && rm -rf /tmp/quick && timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -1 /tmp/bench.log
cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; cd /tmp && tar czf $OUT/quick.tgz quick
cd $REPO/tests && timeout 250 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
