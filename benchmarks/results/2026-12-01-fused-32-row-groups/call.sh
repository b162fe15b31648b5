# NOTES entry 128: the fused kernel's grid handoff with 32-row tiles of 8 warps (branch wip/fused-32-row-groups), in
# one wheel with today's kernels: dist_U, built on the CPU machine from that branch with
#   SGMV_EXTRA_TILES=1 SGMV_KERNELS="$(PYTHONPATH=. python3 -m codegen list | tr '\n' ','),sgmv_fused_*_w8m32n*" \
#     pip wheel -q --no-deps -w dist_U .
# (the default 382 kernels and the 12 tall ones). ~200 s:
#   run(command="bash benchmarks/results/2026-12-01-fused-32-row-groups/call.sh", carry=["dist_U"])
# The tall kernels' GPU tests (every fused test with them, forced through the grid handoff), their registers, then
# dispatch_sweep over HANDOFF_TALL_MIN_MEAN_ROWS=1000000,32 (never; batches of >= 32 rows a segment) on the full
# sweep's identical bs64 and bs256 cases, bf16, twice in turn.
set -u
rm -rf /tmp/u && python3 -m pip install -q --no-deps --no-index --target /tmp/u dist_U/*.whl || exit 1
export PYTHONPATH=/tmp/u
(cd tests && timeout 150 python3 -m pytest -q --tb=short -p no:cacheprovider test_gpu_one_launch.py -k "m32" 2>&1 \
  | tail -25) > "$OUT/gpu-tests.txt"
tail -3 "$OUT/gpu-tests.txt"
for f in /tmp/u/sgmv/kernels/sgmv_fused_*.fatbin; do
  cuobjdump --dump-resource-usage "$f" 2>&1 | awk '/ Function /{name = $2} /REG:/{print name, $1, $2, $4}'
done | grep m32 > "$OUT/resources.txt"
cat "$OUT/resources.txt"
timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/sweep" bf16 HANDOFF_TALL_MIN_MEAN_ROWS=1000000,32 \
  --cases=identical_bs64,identical_bs256 --full --ops=add_lora --repeat=2 > "$OUT/sweep-bf16.txt" 2>&1
tail -34 "$OUT/sweep-bf16.txt"
rm -rf "$OUT/sweep"
