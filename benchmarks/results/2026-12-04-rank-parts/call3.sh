#!/bin/bash
# Entry 336, third call: after the review (cuda_ops: the rank's halves and parts launched by one _launch_in_parts, the
# installed picks memoized by one _over_installed; the GPU tests' selections cleared by _run_padded and the
# clear_selections fixture), the GPU tests of every path it touches (test_gpu_ops.py: its random problems):
#   run(command="bash benchmarks/results/2026-12-04-rank-parts/call3.sh", carry=["dist_xz_334"])
set -u
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 > /dev/null || exit 1
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w dist_334/*.whl || exit 1
cp -r python/sgmv/. /tmp/w/sgmv/
export PYTHONPATH=/tmp/w
(cd tests && timeout 300 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py test_gpu_ops.py \
   -k "random_problems or in_parts or off_the_grid or rank_halves or rank_8 or table_of_ranks" > "$OUT/tests3.txt" 2>&1)
echo "tests: rc=$? $(tail -1 "$OUT/tests3.txt")"
grep -E "^(FAILED|ERROR)" "$OUT/tests3.txt" | head -20
