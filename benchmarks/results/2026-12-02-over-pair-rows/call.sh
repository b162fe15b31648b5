# Batches of 257-512 rows of v through the grid handoff in place of the launch pair (NOTES entry 165; prepared, not
# run), on dist_s164 (main at eb1d185 or later with the same python/; rebuild the wheel if python/ has changed):
#   run(command="bash benchmarks/results/2026-12-02-over-pair-rows/call.sh", carry=["dist_s164"])
# one_launch.HANDOFF_OVER_PAIR_MAX_ROWS=256,512, bf16, twice in turn, over uniform batches of 8-40 segments of
# 8-48 rows (320-480 rows) at 4 shapes and ranks 8-64: on the CPU 512 moves 112 of such batches at 6 shapes from the
# pair to the fused kernel, no batch of either sweep (their decode batches stop at 256 rows).
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s164/*.whl || exit 1
export PYTHONPATH=/tmp/new
timeout 300 python3 benchmarks/dispatch_sweep.py "$OUT/a" bf16 HANDOFF_OVER_PAIR_MAX_ROWS=256,512 \
  --batches=20x24,16x20,32x12,12x32,8x48,24x16,10x40 --shapes=4096x4096,8192x8192,4096x14336,3584x18944 \
  --ranks=8,16,32,64 --ops=add_lora --repeat=2 > "$OUT/rows.log" 2>&1
echo "rc=$?"; mv "$OUT/a/HANDOFF_OVER_PAIR_MAX_ROWS.txt" "$OUT/rows.txt"; rm -rf "$OUT/a"
