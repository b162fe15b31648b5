#!/usr/bin/env bash
# NOTES entry 231: PREFILL_SHORT_TILES_FROM_LENGTHS=0,1 (the tree's one_launch.py on head's default wheel: the 16-row
# tile's tiles counted from the segments' lengths, its cluster only where both counts want one) on batches entries
# 229-230 did not time, at the four sweep shapes, ranks 16-64 (bf16, twice in turn), from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-short-lengths/call.sh dist_s227", carry=["dist_s227"])
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
cp "$repo/python/sgmv/one_launch.py" /tmp/new/sgmv/one_launch.py || exit 1
cd /tmp && rm -rf /tmp/sw && mkdir -p /tmp/sw
PYTHONPATH=/tmp/new timeout 400 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/sw/lengths-bf16 bf16 \
  PREFILL_SHORT_TILES_FROM_LENGTHS=0,1 --ops=add_lora --repeat=2 \
  --batches=32x33,128x17,300x24,264x28,40x17,48x20,12x33,20x17,24x17,20x24,12x40,80x17,80x24,80x33 \
  --ranks=16,32,64 > /tmp/sw/lengths-bf16.log 2>&1
echo "lengths rc=$?"; cp /tmp/sw/lengths-bf16/PREFILL_SHORT_TILES_FROM_LENGTHS.txt "$OUT/lengths-bf16.txt"
tail -3 /tmp/sw/lengths-bf16.log
