# More column tiles a block over the pair than entry 159's 6 (ranks 16-64, and r128's halves) and than its 8 for rank
# 128's own kernel (NOTES entry 163), on dist_s159 (main after entry 159):
#   run(command="bash benchmarks/results/2026-12-02-wider-still/call.sh", carry=["dist_s159"])
# HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=6,8,12 over uniform batches at wide h_out (3584 -> 18944, 4096 -> 14336,
# 8192 -> 28672), ranks 16-128, where 8 or 12 take batches the pair (or r128's pair) runs at 6 (CPU model); and
# HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK=8,12 over the full sweep's r128 skewed batches (12 gives two of them
# rank 128's own kernel) and three batches at 4096 -> 11008; bf16, twice in turn.
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s159/*.whl || exit 1
export PYTHONPATH=/tmp/new
timeout 250 python3 benchmarks/dispatch_sweep.py "$OUT/a" bf16 HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=6,8,12 \
  --batches=26x1,25x3,32x1,40x1,48x2 --shapes=3584x18944,4096x14336,8192x28672 --ranks=16,32,64,128 \
  --ops=add_lora --repeat=2 > "$OUT/still-a.log" 2>&1
echo "a rc=$?"; mv "$OUT/a/HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK.txt" "$OUT/still-a.txt"; rm -rf "$OUT/a"
timeout 100 python3 benchmarks/dispatch_sweep.py "$OUT/b" bf16 HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK=8,12 \
  --full --cases=r128_skewed --ops=add_lora --repeat=2 > "$OUT/still-b.log" 2>&1
echo "b rc=$?"; mv "$OUT/b/HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK.txt" "$OUT/still-b.txt"; rm -rf "$OUT/b"
timeout 100 python3 benchmarks/dispatch_sweep.py "$OUT/c" bf16 HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK=8,12 \
  --batches=26x1,25x3,32x1 --shapes=4096x11008 --ranks=128 --ops=add_lora --repeat=2 > "$OUT/still-c.log" 2>&1
echo "c rc=$?"; mv "$OUT/c/HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK.txt" "$OUT/still-c.txt"; rm -rf "$OUT/c"
(cd "$OUT" && tar czf all.tgz still* && rm -f still*)
