# Entry 46 on the default build: GPU suite, quick run of record (bf16+fp16, baselines and pairs); then the stage
# probe of the walking-warp kernel.
set -o pipefail
REPO=$PWD
rm -rf /tmp/site; python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_rec5/*.whl
mkdir -p $OUT/r
(cd tests && PYTHONPATH=/tmp/site timeout 250 python3 -m pytest -q . 2>&1 | tail -8) > $OUT/r/gpu-suite.txt; tail -2 $OUT/r/gpu-suite.txt
cd /tmp && PYTHONPATH=/tmp/site timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --out $OUT/r/quick > /tmp/bench.log 2>&1; tail -2 /tmp/bench.log
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/r/quick/gpu.txt
cd $REPO
rm -rf /tmp/sp; python3 -m pip install -q --no-deps --no-index --target /tmp/sp dist_probe5/*.whl
for c in "4096 16 256" "8192 16 64" "4096 64 4096 prefill"; do
  n=$(echo $c | tr ' ' _)
  PYTHONPATH=/tmp/sp timeout 60 python3 dist_run/probe2.py $c > $OUT/r/stamps-$n.txt 2>&1
  python3 dist_run/probe3_summary.py $OUT/r/stamps-$n.txt > $OUT/r/probe-walker-$n.txt 2>&1; grep block $OUT/r/probe-walker-$n.txt
done
cd $OUT && tar czf rec.tgz r && rm -rf r
