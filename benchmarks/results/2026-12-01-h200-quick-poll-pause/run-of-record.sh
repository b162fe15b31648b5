# Call 8 of this session (after entry 96): the quick sweep of record (bf16 and fp16, with baselines and serving
# pairs) on the default wheel of 7b9cca7 (dist_record), then the whole GPU suite on the same install, then the final
# form of benchmarks/latency/poll_probe.cu once (poll-probe-final.txt in entry 96's folder).
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_record/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
python3 -c "import sys, torch, cuda.bindings; print(sys.version.split()[0], torch.__version__, cuda.bindings.__version__)" | tee $OUT/versions.txt
cd /tmp && rm -rf /tmp/quick && timeout 170 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; echo "bench rc=$?"; tail -1 /tmp/bench.log
cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; tar czf $OUT/quick.tgz quick
cd $REPO/tests && timeout 280 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
cd $REPO/benchmarks/latency && nvcc -O3 -arch=sm_90 -o /tmp/poll_probe poll_probe.cu && /tmp/poll_probe > $OUT/poll-probe-final.txt 2>&1; tail -1 $OUT/poll-probe-final.txt
