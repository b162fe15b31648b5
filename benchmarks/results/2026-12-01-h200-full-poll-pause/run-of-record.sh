# Call 9 of this session (after entry 96): the full sweep of record, each dtype with baselines and no serving pairs,
# on the default wheel of 7b9cca7 (dist_record; its GPU suite and quick sweep: ../2026-12-01-h200-quick-poll-pause/).
set -o pipefail
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_record/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
cd /tmp
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 120 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$? $(tail -1 /tmp/full-$d.log)"
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null; cp $OUT/gpu.txt /tmp/full-$d/gpu.txt
done
tar czf $OUT/full.tgz full-bf16 full-fp16
