# Main after entry 165 on the GPU (NOTES entries 167-169), from the repository root, on dist_s165 (the default wheel
# of main at 12f7563 or later with the same python/: `pip wheel -q --no-deps -w dist_s165 .`):
#   run(command="bash benchmarks/results/2026-12-02-s165-record/call.sh", carry=["dist_s165"])
# The GPU tests entry 165 changed (tree tests over the installed wheel), the quick and full sweeps of record, then
# entries 168-169's measurements.
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s165/*.whl || exit 1
(cd tests && PYTHONPATH=/tmp/new timeout 200 python3 -m pytest -q -p no:cacheprovider test_bench.py \
   test_gpu_one_launch.py -k "kernels_that_ran or dispatch_sweep_times or chained_calls or in_place_of_the_pair" \
   > "$OUT/tests.txt" 2>&1; echo "tests rc=$? $(tail -1 "$OUT/tests.txt")")
bash benchmarks/run_of_record.sh dist_s165 quick full
PYTHONPATH=/tmp/new bash benchmarks/results/2026-12-02-past-512/call.sh
