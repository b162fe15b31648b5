# Call 26: the full sweep of record (bf16 and fp16, with baselines, no serving pairs) on the default build of 2e4e423
# (dist_h: NOTES entry 83), the wheel the quick record and the GPU suite of call 22 ran on.
set -o pipefail
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_h/*.whl
export PYTHONPATH=/tmp/sF
cd /tmp
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 200 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$?"
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null
done
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/gpu.txt
tar czf $OUT/full.tgz full-bf16 full-fp16 gpu.txt
