#!/usr/bin/env bash
# NOTES entry 225 (prepared, not run): every compiled one-launch kernel of the case's rank forced onto each full-sweep
# case that missed its target in entry 213's record (bf16; cases.txt: 62 at ranks 8-16, 52 at 32-64, 44 at 128), next
# to dispatch's pick and the pair (benchmarks/fused_sweep.py ... full), on a default wheel of head, from the
# repository root:
#   run(command="bash benchmarks/results/2026-12-03-full-resweep/call.sh DIR", carry=["DIR"])
# Entry 219's quick sweep took 16 s for 22 cases of ~20 variants, so the three groups should take a few minutes.
repo=$PWD
rm -rf /tmp/fs && python3 -m pip install -q --no-deps --no-index --target /tmp/fs "${1:?wheel folder}"/*.whl || exit 1
cd /tmp
while read -r group names; do
  PYTHONPATH=/tmp/fs timeout 250 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/resweep-$group-bf16.json" bf16 \
    "$names" full > "$OUT/resweep-$group-bf16.txt" 2>&1
  echo "$group rc=$? $(wc -l < "$OUT/resweep-$group-bf16.txt") lines"
done < "$repo/benchmarks/results/2026-12-03-full-resweep/cases.txt"
