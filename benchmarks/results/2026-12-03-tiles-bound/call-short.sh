#!/usr/bin/env bash
# NOTES entry 230 (prepared for the next session; prediction there): PREFILL_SHORT_TILES_FROM_BOUND=0,1
# (short-bound.patch: entry 229's count of tiles from the segments' lengths for the 16-row tile only; not in the tree)
# over the batches it changes that entry 229 did not measure, at the four sweep shapes, ranks 16-64 (bf16, twice in
# turn), on head's default wheel with the patch applied to the installed copy, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-tiles-bound/call-short.sh dist_s227", carry=["dist_s227"])
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
(cd /tmp/new && patch -p2 < "$repo/benchmarks/results/2026-12-03-tiles-bound/short-bound.patch") || exit 1
cd /tmp && rm -rf /tmp/sw && mkdir -p /tmp/sw
PYTHONPATH=/tmp/new timeout 300 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/sw/short-bf16 bf16 \
  PREFILL_SHORT_TILES_FROM_BOUND=0,1 --ops=add_lora --repeat=2 \
  --batches=12x40,20x20,24x20,24x40,48x17,96x17,96x20,200x28,264x20,40x24 --ranks=16,32,64 > /tmp/sw/short-bf16.log 2>&1
echo "short rc=$?"; cp /tmp/sw/short-bf16/PREFILL_SHORT_TILES_FROM_BOUND.txt "$OUT/short-bf16.txt"
tail -3 /tmp/sw/short-bf16.log
