#!/usr/bin/env bash
# NOTES entry 227, second call: PREFILL_FEW_ROWS_MAX_MEAN=31,16 over the batches of 17-31 rows a segment the first
# call did not cover (CPU: every batch of 17-31 rows whose kernel 16 changes: to the 64-row tile from the 16-row
# tile, from the grid handoff (24 segments of 17-20 rows) and, at rank 128, from the two half-rank launches), bf16,
# twice in turn, on head's default wheel with this tree's dispatch.py, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-block-columns/call-few2.sh dist_p128", carry=["dist_p128"])
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
cp "$repo/python/sgmv/dispatch.py" /tmp/new/sgmv/dispatch.py
cd /tmp && rm -rf /tmp/sw && mkdir -p /tmp/sw
PYTHONPATH=/tmp/new timeout 400 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/sw/few2-bf16 bf16 \
  PREFILL_FEW_ROWS_MAX_MEAN=31,16 --ops=add_lora --repeat=2 --batches=24x17,40x31,64x28,96x28,200x20,264x31 \
  --ranks=16,32,64,128 > /tmp/sw/few2-bf16.log 2>&1
echo "few2 rc=$?"; cp /tmp/sw/few2-bf16/PREFILL_FEW_ROWS_MAX_MEAN.txt "$OUT/few2-bf16.txt"
(cd /tmp/sw && tar czf "$OUT/few2.tgz" *.log */*.json)
