# The second call (NOTES entry 173), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-rank8-tile-rebuilt/suite.sh", carry=["dist_s173"])
# The first call's tests ran out of their 200 s after 61 passed (none failed), so: rank 8's prefill kernels on the
# prefill shapes and on their own, one line a test (which test runs when the time is out), then the whole GPU suite.
set -o pipefail
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_s173/*.whl || exit 1
export PYTHONPATH=/tmp/rec
(cd tests && timeout 100 python3 -m pytest -v -p no:cacheprovider --durations=15 test_gpu_one_launch.py \
   test_gpu_kernels.py -k "prefill_bf16_r8 or prefill_fp16_r8" > "$OUT/r8-kernels.txt" 2>&1)
echo "r8 kernels rc=$? $(grep -E 'passed|failed' "$OUT/r8-kernels.txt" | tail -1)"
(cd tests && timeout 470 python3 -m pytest -q -p no:cacheprovider --durations=25 . > "$OUT/gpu-suite.txt" 2>&1)
echo "suite rc=$? $(grep -E 'passed|failed' "$OUT/gpu-suite.txt" | tail -1)"
grep -E "^FAILED|^ERROR" "$OUT/gpu-suite.txt" | head -20
