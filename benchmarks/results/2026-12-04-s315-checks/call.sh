#!/bin/bash
# Entry 318 (device): the GPU suite but test_gpu_one_launch.py and test_gpu_prefill.py (every one-launch and prefill
# kernel is dist_307's byte for byte; dispatch of add_lora unchanged) on dist_315 with this tree's Python: every
# kernel's own tests (the 10 new rank-specialized shrinks of any h_in among them) and the public ops, entry 315's new
# op test included; then compute-sanitizer memcheck over the new kernels' tests and that op test.
# Usage (device): bash benchmarks/results/2026-12-04-s315-checks/call.sh dist_315
set -u
bash benchmarks/run_of_record.sh "$1" suite-rest-but-prefill
export PYTHONPATH=/tmp/rec
(cd tests && timeout 200 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
   -p no:cacheprovider test_gpu_kernels.py test_gpu_ops.py \
   -k "(shrink and hany and not rany) or off_the_built" > "$OUT/memcheck-shrink-any-h.txt" 2>&1)
echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck-shrink-any-h.txt" | tail -1) $(tail -1 "$OUT/memcheck-shrink-any-h.txt")"
