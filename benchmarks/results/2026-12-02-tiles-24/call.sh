# Entry 168's rule (HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK 24) on the GPU (NOTES entry 171), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-tiles-24/call.sh", carry=["dist_s165"])
# dist_s165's wheel with the tree's python files over it (only one_launch.py differs), then the whole GPU suite, then
# 12 against 24 over one-row and two-row batches of 56 and 80 segments at 4096 -> 14336, 4096 -> 11008 and
# 5120 -> 13824, ranks 16-64 (on the CPU the rule moves them from the pair; entry 168 measured other shapes).
set -o pipefail
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_s165/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
(cd tests && timeout 420 python3 -m pytest -q -p no:cacheprovider . > "$OUT/gpu-suite.txt" 2>&1)
echo "suite rc=$? $(tail -1 "$OUT/gpu-suite.txt")"
timeout 120 python3 benchmarks/dispatch_sweep.py "$OUT/a" bf16 HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK=12,24 \
  --batches=56x1,80x1,56x2,80x2,64x1,96x1 --shapes=4096x14336,4096x11008,5120x13824 --ranks=16,32,64 \
  --ops=add_lora --repeat=2 > "$OUT/tiles.log" 2>&1
echo "tiles rc=$?"; mv "$OUT/a/HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK.txt" "$OUT/tiles.txt"; rm -rf "$OUT/a"
