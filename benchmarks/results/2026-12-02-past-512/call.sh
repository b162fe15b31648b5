# Two dispatch_sweep measurements on dist_s165 (main after entry 165), NOTES entries 168-169:
#   run(command="bash benchmarks/results/2026-12-02-s165-record/call.sh", carry=["dist_s165"]) runs this after the
#   record's GPU tests and sweeps (needs PYTHONPATH=/tmp/new: the wheel, installed there by that script).
# 168: HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=12,16,24 over 12 batches of 16-480 rows at 3584 -> 18944 and
#      8192 -> 28672, ranks 8-128 (on the CPU 36 of the 120 change kernel).
# 169: HANDOFF_OVER_PAIR_MAX_ROWS=512,4096 over 10 batches of 576-2048 rows at 4 shapes, ranks 8-32 (15 of 120 change:
#      rank 8, from the prefill kernel's 16-row tile).
timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/a" bf16 HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=12,16,24 \
  --batches=20x24,16x20,32x12,12x32,8x48,24x16,10x40,16x1,32x1,64x1,48x2,24x8 --shapes=3584x18944,8192x28672 \
  --ranks=8,16,32,64,128 --ops=add_lora --repeat=2 > "$OUT/tiles.log" 2>&1
echo "tiles rc=$?"; mv "$OUT/a/HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK.txt" "$OUT/tiles.txt"
timeout 120 python3 benchmarks/dispatch_sweep.py "$OUT/b" bf16 HANDOFF_OVER_PAIR_MAX_ROWS=512,4096 \
  --batches=32x20,16x48,64x16,40x24,24x32,48x12,128x8,64x32,20x100,8x128 \
  --shapes=4096x4096,8192x8192,4096x14336,3584x18944 --ranks=8,16,32 --ops=add_lora --repeat=2 > "$OUT/rows.log" 2>&1
echo "rows rc=$?"; mv "$OUT/b/HANDOFF_OVER_PAIR_MAX_ROWS.txt" "$OUT/rows.txt"; rm -rf "$OUT/a" "$OUT/b"
