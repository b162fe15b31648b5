# Entry 163's rule (12 column tiles a block over the pair; rank 128's own kernel up to 12 in place of halves on the
# fused kernel, 8 of those on the prefill kernel) on the GPU, before its wheel is built (NOTES entry 164): dist_s159's
# kernels (byte-identical to main's) with the tree's python laid over them.
#   run(command="bash benchmarks/results/2026-12-02-wider-rule-check/call.sh", carry=["dist_s159"])
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s159/*.whl || exit 1
cp python/sgmv/*.py /tmp/new/sgmv/ && cp python/sgmv/bench/*.py /tmp/new/sgmv/bench/
export PYTHONPATH=/tmp/new
(cd tests && timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_ops.py \
  -k "wide_h_out or skewed or random_problems or rank_halves" > "$OUT/check-tests.txt" 2>&1; tail -1 "$OUT/check-tests.txt")
timeout 100 python3 benchmarks/dispatch_sweep.py "$OUT/a" bf16 HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK=8,12 \
  --batches=16x6,25x3,20x4 --shapes=3584x18944,4096x14336 --ranks=128 --ops=add_lora --repeat=2 \
  > "$OUT/check-a.log" 2>&1
echo "a rc=$?"; mv "$OUT/a/HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK.txt" "$OUT/check-a.txt"; rm -rf "$OUT/a"
