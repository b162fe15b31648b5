# Call 4 (session 2026-12-01b): the whole GPU suite on the default build with 150 KB of prefill stages (NOTES entry 72),
# then the quick run of record.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_final/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
cd $REPO/tests && timeout 300 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -2 $OUT/gpu-suite.txt
cd /tmp && rm -rf /tmp/quick && timeout 220 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -2 /tmp/bench.log
cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; cd /tmp && tar czf $OUT/quick.tgz quick
