#!/bin/bash
# Entry 375 (device), call 3: the GPU tests call 2's suite-rest had not reached when the call's time ran out (it was
# 87% through test_gpu_prefill.py): rest-tail-ids.txt, suite-rest's GPU test ids from its 5,251st on (CPU-collected
# from dist_17, ~140 ids before where call 2 stopped, the rest of test_gpu_prefill.py and test_gpu_prefill_phases.py).
# Usage (device): bash benchmarks/results/2026-12-06-s375-final-tree/call3.sh dist_xz_17 dist_17
set -u
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$2"/*.whl || exit 1
ids=$PWD/benchmarks/results/2026-12-06-s375-final-tree/rest-tail-ids.txt
cd tests && PYTHONPATH=/tmp/rec IDS=$ids timeout 300 python3 -c "import os, sys, pytest; sys.exit(pytest.main(['-q', \
  '-rs', '-p', 'no:cacheprovider'] + open(os.environ['IDS']).read().split()))" > "$OUT/gpu-suite-rest-tail.txt" 2>&1
echo "rc=$? $(tail -n 1 "$OUT/gpu-suite-rest-tail.txt")"
