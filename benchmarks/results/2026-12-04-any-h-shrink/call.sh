#!/bin/bash
# Entry 315 (device): the shrink at hidden sizes off codegen's HIDDEN_SIZES, on the any-rank kernel (OLD wheel) and on
# the rank-specialized kernels of any h_in (NEW wheel), A B A B, bf16; then, on NEW, rank 8's grid handoff where
# padded_prefill declines (HANDOFF_AFTER_PADDED_PREFILL=0,1) at a few shapes; then the GPU kernel tests of every
# kernel of any hidden size on NEW. This tree's Python over each wheel's kernels.
# OLD is NEW's install with the rank-specialized shrinks of any h_in taken out of its manifest (so the any-rank kernel
# runs those calls, as in dist_307's build; the other 480 kernels are dist_307's byte for byte).
# Usage (device): bash benchmarks/results/2026-12-04-any-h-shrink/call.sh OLD dist_314
set -u
for W in "$1" "$2"; do
  rm -rf "/tmp/rec_$W" && python3 -m pip install -q --no-deps --no-index --target "/tmp/rec_$W" "$2"/*.whl || exit 1
  cp python/sgmv/*.py "/tmp/rec_$W/sgmv/" && cp python/sgmv/bench/*.py "/tmp/rec_$W/sgmv/bench/"
done
python3 - "/tmp/rec_$1/sgmv/kernels/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["kernels"] = [k for k in m["kernels"] if not (k["op"] == "shrink" and k["rank"] and not k["hidden"])]
json.dump(m, open(sys.argv[1], "w"))
print(len(m["kernels"]), "kernels in OLD's manifest")
PY
SHAPES=3584x18944,18944x3584,1536x8960,6144x4096,28672x8192,13824x5120,4096x4096
for round in 1 2; do
  for W in "$1" "$2"; do
    PYTHONPATH="/tmp/rec_$W" timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/s-$W-$round" bf16 \
      HANDOFF_AFTER_PADDED_PREFILL=0 --ops=shrink --ranks=8,16,32,64,128 --shapes=$SHAPES \
      --batches=1x1,16x1,64x1,16x16,8x256 > "$OUT/shrink-$W-$round.txt" 2>&1 || tail -5 "$OUT/shrink-$W-$round.txt"
  done
done
export PYTHONPATH="/tmp/rec_$2"
timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/h" bf16 HANDOFF_AFTER_PADDED_PREFILL=0,1 --ops=add_lora \
  --ranks=8 --repeat=2 --shapes=3584x18944,18944x3584,1536x8960,8192x8192,4096x14336 \
  --batches=8x2,20x2,20x3,40x2,16x4,32x8 > "$OUT/handoff.txt" 2>&1
grep -v "^\[" "$OUT/handoff.txt" | tail -32 | cut -c1-100
timeout 200 python3 -m pytest -q -p no:cacheprovider tests/test_gpu_kernels.py -k "hany" 2>&1 | tail -4 | tee "$OUT/tests.txt"
