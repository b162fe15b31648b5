# NOTES entry 174: does rank 8's 16-row tile still hang once only the pushing warps wait for the partner's read
# (prefill.cuh swap_partials)? Wheels built on the CPU machine from the repository root:
#   export SGMV_EXTRA_TILES=1 SGMV_KERNELS="sgmv_prefill_*_r8_hany_w11m16n256u1_v8,sgmv_prefill_*_r16_hany_w11m16n256u1_v8"
#   SGMV_NVCC_FLAGS=-DSGMV_PROBE_WAITS pip wheel -q --no-deps -w dist_fixs .; pip wheel -q --no-deps -w dist_fix .
#   run(command="bash benchmarks/results/2026-12-02-swap-wait-fix/call.sh", carry=["dist_fixs", "dist_fix"])
# The stamps build: wait_stamps.py 60 s on each rank-8 tile (entry 173's runs hung at launches 0-17). The plain build:
# stress_shapes.py 45 s on each (entry 173: hung at launches 6 and 66), then the rank-8 and rank-16 tiles' tests.
set -o pipefail
install() { rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl; }
install dist_fixs || exit 1
for k in sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8 sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8; do
  (cd tests && PYTHONPATH=/tmp/rec timeout 90 python3 ../benchmarks/sanitize/wait_stamps.py $k 60 \
     > "$OUT/stamps-$k.txt" 2>&1); echo "rc=$? stamps: $(head -1 "$OUT/stamps-$k.txt")"
done
install dist_fix || exit 1
for k in sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8 sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8; do
  PYTHONPATH=/tmp/rec timeout 70 python3 benchmarks/results/2026-12-02-rank8-tile-rebuilt/stress_shapes.py 45 $k > "$OUT/stress-$k.txt" 2>&1
  echo "rc=$? stress $k: $(wc -l < "$OUT/stress-$k.txt") lines, last: $(tail -1 "$OUT/stress-$k.txt")"
done
(cd tests && PYTHONPATH=/tmp/rec timeout 200 python3 -m pytest -q -p no:cacheprovider --timeout=60 \
   test_gpu_one_launch.py test_gpu_kernels.py -k "m16n256u1" > "$OUT/tests.txt" 2>&1); echo "rc=$? $(tail -1 "$OUT/tests.txt")"
