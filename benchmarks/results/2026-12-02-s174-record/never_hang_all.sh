# test_prefill_cluster_swaps_never_hang in its second form over every prefill kernel of dist_rec (NOTES entry 175),
# from the repository root: run(command="bash benchmarks/results/2026-12-02-s174-record/never_hang_all.sh",
# carry=["dist_rec"]) -> $OUT/never-hang-all.txt
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_rec/*.whl || exit 1
(cd tests && PYTHONPATH=/tmp/rec timeout 400 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
   -k test_prefill_cluster_swaps_never_hang > "$OUT/never-hang-all.txt" 2>&1
 echo "never-hang, every prefill kernel: rc=$? $(tail -1 "$OUT/never-hang-all.txt")")
