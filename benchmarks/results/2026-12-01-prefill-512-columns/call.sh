# NOTES entry 123 (prepared): the 16-row prefill tile with 512-column stages, against today's 256, in one wheel:
# dist_Q, built from branch wip/prefill-512-columns with the extra tiles, prefill kernels only:
#   SGMV_EXTRA_TILES=1 SGMV_KERNELS="sgmv_prefill_*" pip wheel -q --no-deps -w dist_Q .
# run(command="bash benchmarks/results/2026-12-01-prefill-512-columns/call.sh", carry=["dist_Q"]), ~200 s:
# the 512-column kernels' GPU tests (per kernel and one launch), their registers, then dispatch_sweep over
# PREFILL_SHORT_CHUNK=256,512 (each: that width's one-block kernel on one-wave batches, its two-block one on the
# others where it has one: 512 at rank 16) on the full sweep's distinct bs64/bs256 cases at ranks 16-64, bf16, twice.
set -u
rm -rf /tmp/q && python3 -m pip install -q --no-deps --no-index --target /tmp/q dist_Q/*.whl || exit 1
export PYTHONPATH=/tmp/q
(cd tests && timeout 240 python3 -m pytest -q --tb=line -p no:cacheprovider test_gpu_kernels.py test_gpu_one_launch.py \
  -k "prefill and m16n512" 2>&1 | grep -v "^  " | tail -8) > "$OUT/gpu-tests.txt"
tail -2 "$OUT/gpu-tests.txt"
for f in /tmp/q/sgmv/kernels/*.fatbin; do
  cuobjdump --dump-resource-usage "$f" 2>&1 | awk '/ Function /{name = $2} /REG:/{print name, $1, $2, $4}'
done > "$OUT/resources.txt"
grep m16n512 "$OUT/resources.txt"
cases="r16_distinct_bs64,r16_distinct_bs256,r32_distinct_bs64,r32_distinct_bs256,r64_distinct_bs64,r64_distinct_bs256"
timeout 300 python3 benchmarks/dispatch_sweep.py "$OUT/sweep" bf16 PREFILL_SHORT_CHUNK=256,512 --cases="$cases" --full \
  --ops=add_lora --repeat=2 > "$OUT/sweep-bf16.txt" 2>&1
tail -30 "$OUT/sweep-bf16.txt"
tar czf "$OUT/sweep.tgz" -C "$OUT" sweep && rm -rf "$OUT/sweep"
