# Entry 103's device call: the rank-128 fused kernel with up to HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK column tiles a
# block (dispatch only). The wheel of the records (dist_rec2, 14a6ae8) with this tree's python/sgmv/dispatch.py laid
# over it; B's GPU tests of the fused kernel, the handoff, the rank split, random problems, graphs and chains under the
# new default (4); then dispatch_sweep over the full sweep's rank-128 add_lora cases, bf16, values 2 (before) and 4,
# twice in turn. run(command="bash benchmarks/results/2026-12-01-h200-r128-tiles-per-block/call.sh",
# carry=["dist_rec2"])
set -uo pipefail
repo=$PWD
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_rec2/*.whl
cp python/sgmv/dispatch.py /tmp/sF/sgmv/dispatch.py
export PYTHONPATH=/tmp/sF
(cd tests && timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py \
  -k "fused or handoff or rank_halves or random or graph or chain" 2>&1 | grep -v "^  " | tail -3) > $OUT/gpu-tests.txt
tail -1 $OUT/gpu-tests.txt
cd /tmp && timeout 200 python3 $repo/benchmarks/dispatch_sweep.py $OUT/sweep bf16 HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK=2,4 \
  --full --cases=_r128_ --ops=add_lora --repeat=2 > $OUT/sweep.log 2>&1; echo "sweep rc=$?"; tail -62 $OUT/sweep.log | grep -v "^\[" | head -70
