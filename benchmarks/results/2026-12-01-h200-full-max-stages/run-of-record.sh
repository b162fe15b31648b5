# Call 31 (entries 88-89): the runs of record on the default wheel of 92fcad4 (dist_f: the 128-column fused kernels'
# one slot ring and the prefill stages capped at 6): the quick sweep (bf16 and fp16, with baselines and serving
# pairs), the full sweep (each dtype, with baselines, no pairs), then the whole GPU suite on the same install.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_f/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
cd /tmp && rm -rf /tmp/quick && timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -1 /tmp/bench.log
cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; tar czf $OUT/quick.tgz quick
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 100 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$? $(tail -1 /tmp/full-$d.log)"
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null; cp $OUT/gpu.txt /tmp/full-$d/gpu.txt
done
tar czf $OUT/full.tgz full-bf16 full-fp16
cd $REPO/tests && timeout 250 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
