#!/usr/bin/env bash
# NOTES entry 235 (prepared for the next session; prediction there): HANDOFF_HALVINGS_BEFORE_ROWS=0,1
# (halvings-rows.patch, not in the tree: entry 232's halvings of columns a warp ranked before the tile's rows) over the
# full sweep's cases it changes, bf16 and fp16, twice in turn, on a default wheel of head with the patch applied to the
# installed copy, from the repository root (with entry 234's call in the same run, e.g. `bash A DIR; bash B DIR`):
#   run(command="bash benchmarks/results/2026-12-03-halvings-rows/call.sh DIR", carry=["DIR"])
repo=$PWD
rm -rf /tmp/hr && python3 -m pip install -q --no-deps --no-index --target /tmp/hr "${1:?wheel folder}"/*.whl || exit 1
(cd /tmp/hr && patch -p2 < "$repo/benchmarks/results/2026-12-03-halvings-rows/halvings-rows.patch") || exit 1
cd /tmp && rm -rf /tmp/hrs && mkdir -p /tmp/hrs
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/hr timeout 120 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/hrs/$dt $dt \
    HANDOFF_HALVINGS_BEFORE_ROWS=0,1 --ops=add_lora --repeat=3 --full \
    --cases=h14336to4096_r32_identical_bs256_s1,h14336to4096_r64_identical_bs256_s1 > /tmp/hrs/$dt.log 2>&1
  echo "halvings $dt rc=$?"; cp /tmp/hrs/$dt/HANDOFF_HALVINGS_BEFORE_ROWS.txt "$OUT/halvings-rows-$dt.txt"
  tail -2 /tmp/hrs/$dt.log
done
