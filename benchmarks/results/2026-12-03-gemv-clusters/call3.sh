#!/usr/bin/env bash
# NOTES entry 242, the call that ran call2.sh: call2.sh on the cluster wheel (tests, resident clusters, sweeps),
# then on head's default wheel (432 kernels, the gemv kernels and entry 242's rule) the quick run of record and the
# GPU tests of dispatch, the ops, the loader and the bench, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-clusters/call3.sh dist_g8 dist_432",
#       carry=["dist_g8", "dist_432"])
here=benchmarks/results/2026-12-03-gemv-clusters
bash $here/call2.sh "${1:?cluster wheel}"
bash benchmarks/run_of_record.sh "${2:?default wheel}" quick
(cd tests && PYTHONPATH=/tmp/rec timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
   test_gpu_ops.py test_loader.py test_bench.py test_validation.py > "$OUT/gpu-dispatch-tests.txt" 2>&1)
tail -3 "$OUT/gpu-dispatch-tests.txt"
