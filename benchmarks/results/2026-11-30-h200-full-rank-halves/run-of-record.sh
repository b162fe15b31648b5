# Session 2026-11-30c, last call: the whole GPU suite on the default build of 1de6cf9 (the rank halves), then the
# full sweep of record (bf16 and fp16, with baselines) on the same install.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_final2/*.whl
export PYTHONPATH=/tmp/sF
cd $REPO/tests && timeout 260 python3 -m pytest -q -rs -p no:cacheprovider . 2>&1 | grep -v "^  " | tail -12 > $OUT/gpu-suite.txt; tail -3 $OUT/gpu-suite.txt
cd /tmp
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 150 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$?"
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null
done
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/gpu.txt
tar czf $OUT/full.tgz full-bf16 full-fp16 gpu.txt
