# Call 3 of this session (after entry 93): the full sweep of record, each dtype with baselines and no serving pairs,
# on the default wheel of 6143818 (dist_final; its GPU suite and quick sweep: ../2026-12-01-h200-quick-handoff-hoist/).
set -o pipefail
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_final/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
cd /tmp
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 120 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$? $(tail -1 /tmp/full-$d.log)"
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null; cp $OUT/gpu.txt /tmp/full-$d/gpu.txt
done
tar czf $OUT/full.tgz full-bf16 full-fp16
