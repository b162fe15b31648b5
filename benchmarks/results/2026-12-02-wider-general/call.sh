# Entry 159's rule on shapes and batches neither sweep has (NOTES entry 162), on dist_s159 (main after entry 159):
#   run(command="bash benchmarks/results/2026-12-02-wider-general/call.sh", carry=["dist_s159"])
# Both of its limits in step: 4/0 (entry 158's rule) against 6/8 (today's), twice in turn, bf16, uniform batches (S
# segments of R rows, an adapter each): at 4096 -> 11008 and 3584 -> 18944, ranks 16-128 (23 of the 46 cases change
# kernel on the CPU: the pair -> the handoff at 5-6 column tiles, r128's halves -> its own kernel); at 13824 -> 5120
# and 4096 -> 4096, rank 128 (r128 halves on the fused or the prefill kernel -> its own kernel).
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s159/*.whl || exit 1
export PYTHONPATH=/tmp/new
n=HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=4,6; w=--with=HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK=0,8
timeout 250 python3 benchmarks/dispatch_sweep.py "$OUT/a" bf16 $n $w --batches=26x1,25x3,32x1,16x6,12x16 \
  --shapes=4096x11008,3584x18944 --ranks=16,32,64,128 --ops=add_lora --repeat=2 > "$OUT/wide-a.log" 2>&1
echo "a rc=$?"; mv "$OUT/a/HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK.txt" "$OUT/wide-a.txt"; rm -rf "$OUT/a"
timeout 120 python3 benchmarks/dispatch_sweep.py "$OUT/b" bf16 $n $w --batches=26x1,38x3,32x1 \
  --shapes=13824x5120,4096x4096 --ranks=128 --ops=add_lora --repeat=2 > "$OUT/wide-b.log" 2>&1
echo "b rc=$?"; mv "$OUT/b/HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK.txt" "$OUT/wide-b.txt"; rm -rf "$OUT/b"
(cd "$OUT" && tar czf all.tgz wide* && rm -f wide*)
