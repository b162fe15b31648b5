#!/bin/bash
# NOTES entry 267: split v in the fused 4-warp rank 8-16 tiles with an occupancy cap of two blocks an SM (dist_267)
# against the shipped build (dist_266). Usage (device, repository root, both packed wheels carried):
#   bash benchmarks/results/2026-12-04-split-v-cap/call.sh
set -u
for d in dist_266 dist_267 dist_262; do
  [ -d "${d}x" ] && python3 benchmarks/wheel_xz.py unpack "${d}x" "$d" > /dev/null
done
here=benchmarks/results/2026-12-04-split-v-cap
rm -rf /tmp/occ && python3 -m pip install -q --no-deps --no-index --target /tmp/occ dist_267/*.whl
PYTHONPATH=/tmp/occ python3 "$here/occupancy.py" 2>&1 | tee "$OUT/occupancy.txt" | tail -4
bash benchmarks/ab_quick_builds.sh dist_266 dist_267 "$OUT" "fused and (_r8_ or _r16_)" "r8_,r16_" full
if [ -d dist_262 ]; then  # split v without a cap (the s262 build): the handoff at three blocks an SM
  rm -rf /tmp/d262 && python3 -m pip install -q --no-deps --no-index --target /tmp/d262 dist_262/*.whl
  PYTHONPATH=/tmp/d262 timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/hb3" bf16 HANDOFF_BLOCKS_PER_SM=2,3 \
    --full --ops=add_lora --repeat=2 "--cases=r8_,r16_" > "$OUT/hb3.txt" 2>&1
  tail -3 "$OUT/hb3.txt"
fi
