# Session 2026-11-30c call 3: the full sweep of record, bf16 and fp16 with baselines, on the default build of c11e9a4
# (the install of call 1's quick run of record and GPU suite).
set -o pipefail
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_main/*.whl
export PYTHONPATH=/tmp/sF
cd /tmp
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 270 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$?"; tail -1 /tmp/full-$d.log
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null
done
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/gpu.txt
tar czf $OUT/full.tgz full-bf16 full-fp16 gpu.txt
