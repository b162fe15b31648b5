#!/usr/bin/env bash
# NOTES entry 272 on the GPU machine, from the repository root, on a wheel carried there:
#   run(command="bash benchmarks/results/2026-12-04-prefill-clusters-of-4/call.sh dist_273", carry=["dist_273x"])
# 1. the prefill kernels' cluster tests (clusters of 1, 2 and 4: walking many tiles, 100 launches that must end)
# 2. memcheck over the bf16 clusters of 4 of those tests
# 3. clusters.py: dispatch's clusters against clusters of 2 and 4 forced, the full sweep's distinct bs64 and bs256
set -o pipefail
wheel_dir=$1
here=$PWD/benchmarks/results/2026-12-04-prefill-clusters-of-4
python3 benchmarks/wheel_xz.py unpack "${wheel_dir}x" "$wheel_dir" > /dev/null || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
(cd tests && timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_prefill.py \
   -k "walk_many_tiles or never_hang" > "$OUT/tests-clusters.txt" 2>&1)
echo "tests: $(tail -1 "$OUT/tests-clusters.txt")"
(cd tests && timeout 120 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_prefill.py -k "bf16 and (c4 or x4)" > "$OUT/memcheck-c4.txt" 2>&1
 [ $? = 124 ] && echo "TIMED OUT after 120 s" >> "$OUT/memcheck-c4.txt")
echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck-c4.txt" | tail -1) $(tail -1 "$OUT/memcheck-c4.txt")"
for d in bf16 fp16; do
  (cd /tmp && timeout 150 python3 "$here/clusters.py" "/tmp/sweep-$d" $d distinct_bs64,distinct_bs256 2 \
     > "$OUT/clusters-$d.txt" 2>&1; echo "sweep $d rc=$?")
done
