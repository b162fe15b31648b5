#!/usr/bin/env bash
# NOTES entry 229 (prediction before measuring): PREFILL_TILES_FROM_BOUND=0,1 (bound.patch: prefill_row_tiles counts
# prefill_tiles_bound where the host knows the longest segment; not in the tree) over batches of 17-24 rows a segment
# at the four sweep shapes, ranks 16-64 (bf16, twice in turn), on head's default wheel (dist_s227) with the patch
# applied to the installed copy, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-tiles-bound/call.sh dist_s227", carry=["dist_s227"])
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
(cd /tmp/new && patch -p2 < "$repo/benchmarks/results/2026-12-03-tiles-bound/bound.patch") || exit 1
cd /tmp && rm -rf /tmp/sw && mkdir -p /tmp/sw
PYTHONPATH=/tmp/new timeout 100 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/sw/bound-bf16 bf16 \
  PREFILL_TILES_FROM_BOUND=0,1 --ops=add_lora --repeat=2 --batches=40x24,132x24,24x17 \
  --ranks=16,32,64 > /tmp/sw/bound-bf16.log 2>&1
echo "bound rc=$?"; cp /tmp/sw/bound-bf16/PREFILL_TILES_FROM_BOUND.txt "$OUT/bound-bf16.txt"; tail -3 /tmp/sw/bound-bf16.log
