#!/bin/bash
# Entry 336, second call: the parts' GPU test again (call 1 failed it only on its own assertion that rank 256's
# halves have no parts; y was right there), then RANK_PARTS_PADDED=1,0 (0: every part at a rank of its own kernels,
# e.g. 88 as 64 + 16 + 8 where rank 8 has a kernel for the batch, else the pair) at ranks 88 and 120, bf16, medians
# of 2, every case checked by the bench first:
#   run(command="bash benchmarks/results/2026-12-04-rank-parts/call2.sh", carry=["dist_xz_334"])
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 > /dev/null || exit 1
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w dist_334/*.whl || exit 1
cp -r python/sgmv/. /tmp/w/sgmv/
export PYTHONPATH=/tmp/w
(cd tests && timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "in_parts" \
   > "$OUT/tests2.txt" 2>&1)
echo "tests: rc=$? $(tail -1 "$OUT/tests2.txt")"
grep -E "^(FAILED|ERROR)" "$OUT/tests2.txt" | head -20
timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/padded" bf16 RANK_PARTS_PADDED=1,0 --repeat=2 --ops=add_lora \
  --ranks=88,120 --batches=64x1,256x1,64x4 --shapes=4096x4096,8192x8192,4096x14336 > "$OUT/padded.txt" 2>&1
echo "padded: rc=$?"; grep -v "^\[" "$OUT/padded.txt" | tail -21 | cut -c1-110
