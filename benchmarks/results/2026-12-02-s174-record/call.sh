# Main after entry 174 on the GPU (NOTES entry 175), from the repository root, on dist_rec (the default wheel of
# 822a44d or later: `pip wheel -q --no-deps -w dist_rec .`) and dist_s173 (the same 416 kernels before entry 174's
# swap fix, built in entry 173 at 09:58, before the fix, with rank 8's tile):
#   run(command="bash benchmarks/results/2026-12-02-s174-record/call.sh", carry=["dist_rec", "dist_s173"])
# The quick and full sweeps of record, then whether test_prefill_cluster_swaps_never_hang catches the hang it was
# written for: the test from this tree over the current wheel's Python with dist_s173's kernels (the manifests are
# identical), one process a kernel, each cut at 100 s ($OUT/unfixed-*.txt).
set -o pipefail
bash benchmarks/run_of_record.sh dist_rec quick full
rm -rf /tmp/unfixed && cp -r /tmp/rec /tmp/unfixed && rm -rf /tmp/unfixed/sgmv/kernels &&
  python3 -m pip install -q --no-deps --no-index --target /tmp/s173 dist_s173/*.whl &&
  cp -r /tmp/s173/sgmv/kernels /tmp/unfixed/sgmv/kernels || exit 1
for k in sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8 sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8_b2; do
  for tree in unfixed rec; do
    (cd tests && PYTHONPATH=/tmp/$tree timeout 100 python3 -m pytest -q -p no:cacheprovider -x \
       "test_gpu_one_launch.py::test_prefill_cluster_swaps_never_hang[$k]" > "$OUT/$tree-$k.txt" 2>&1
     echo "$tree $k: rc=$? $(tail -1 "$OUT/$tree-$k.txt")")
  done
done
