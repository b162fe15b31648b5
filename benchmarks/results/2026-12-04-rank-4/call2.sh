#!/bin/bash
# Entry 337, call 2: call.sh's sweep again after the bench's check allows y's rounding (call 1's sweep stopped on
# h4096to14336 r4 bs1 at 1.07e-2, the float32 reference's own kind of error):
#   run(command="bash benchmarks/results/2026-12-04-rank-4/call2.sh", carry=["dist_xz_334"])
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 > /dev/null || exit 1
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w dist_334/*.whl || exit 1
cp -r python/sgmv/. /tmp/w/sgmv/
export PYTHONPATH=/tmp/w
timeout 280 python3 benchmarks/dispatch_sweep.py "$OUT/ranks" bf16 RANK_PARTS=1 --repeat=2 --ops=add_lora \
  --ranks=4,8,12,16 --batches=1x1,16x1,64x1,256x1,4x16,1x256,8x128 --shapes=4096x4096,8192x8192,4096x14336 \
  > "$OUT/ranks.txt" 2>&1
echo "ranks: rc=$?"; grep -v "^\[" "$OUT/ranks.txt" | tail -90 | cut -c1-120
