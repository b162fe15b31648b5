# Whether test_prefill_cluster_swaps_never_hang (after entry 175's change: dispatch's grid too, 100 launches) catches
# the hang it was written for, from the repository root (NOTES entry 175):
#   run(command="bash benchmarks/results/2026-12-02-s174-record/never_hang.sh", carry=["dist_rec", "dist_s173"])
# The test from this tree over dist_rec's Python with dist_s173's kernels (entry 173's build before the swap fix; the
# manifests are identical), then over dist_rec's own; one process a kernel and tree, each cut at 100 s.
set -o pipefail
for d in rec s173; do
  rm -rf /tmp/$d && python3 -m pip install -q --no-deps --no-index --target /tmp/$d dist_$d/*.whl || exit 1
done
rm -rf /tmp/unfixed && cp -r /tmp/rec /tmp/unfixed && rm -rf /tmp/unfixed/sgmv/kernels &&
  cp -r /tmp/s173/sgmv/kernels /tmp/unfixed/sgmv/kernels || exit 1
for k in sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8 sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8_b2; do
  for grid in dispatch 7x2; do
    for tree in unfixed rec; do
      (cd tests && PYTHONPATH=/tmp/$tree timeout 100 python3 -m pytest -q -p no:cacheprovider \
         "test_gpu_one_launch.py::test_prefill_cluster_swaps_never_hang[$k-$grid]" > "$OUT/$tree-$k-$grid.txt" 2>&1
       echo "$tree $k $grid: rc=$? $(tail -1 "$OUT/$tree-$k-$grid.txt")")
    done
  done
done
