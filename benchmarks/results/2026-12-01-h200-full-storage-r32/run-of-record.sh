# Call 28 (entry 87): the full sweep of record (bf16 and fp16, with baselines, no serving pairs) on the default build
# with the cluster storage in the r32 256-column kernels (dist_r; every kernel SASS-identical to dist_h or, the r32
# 256-column ones, to dist_t2), then the whole GPU suite on the same wheel.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_r/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/gpu.txt
cd /tmp
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 100 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$?"
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null
done
tar czf $OUT/full.tgz full-bf16 full-fp16 gpu.txt
cd $REPO/tests && timeout 270 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
