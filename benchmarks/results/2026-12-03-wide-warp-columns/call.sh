#!/usr/bin/env bash
# NOTES entry 237 (prediction there): entries 232 and 235's rule (the halvings of HANDOFF_MAX_WARP_COLUMNS columns of
# h_in a warp) at 18944 -> 3584, where no batch was timed, and at 14336 -> 4096 beside it: the ten uniform batches the
# rule moves on the CPU, r32 and r64, old (10**9: no halvings, the order before entry 232) against the rule (128),
# both dtypes, twice in turn, on a default wheel of head, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-wide-warp-columns/call.sh DIR", carry=["DIR"])
repo=$PWD
rm -rf /tmp/ww && python3 -m pip install -q --no-deps --no-index --target /tmp/ww "${1:?wheel folder}"/*.whl || exit 1
cd /tmp && rm -rf /tmp/wws && mkdir -p /tmp/wws
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/ww timeout 250 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/wws/$dt $dt \
    HANDOFF_MAX_WARP_COLUMNS=1000000000,128 --ops=add_lora --repeat=2 \
    --batches=1x128,1x256,2x64,2x128,4x32,8x1,8x2,8x4,8x8,8x16 --shapes=18944x3584,14336x4096 --ranks=32,64 \
    > /tmp/wws/$dt.log 2>&1
  echo "warp-columns $dt rc=$?"; cp /tmp/wws/$dt/HANDOFF_MAX_WARP_COLUMNS.txt "$OUT/warp-columns-$dt.txt"
  tail -3 /tmp/wws/$dt.log
done
