# For the next session (NOTES entry 108): land the prefill shrink's SS form only after this passes. dist_F was built
# at the end of the session that prepared it, from the branch head 335d102 (SASS against the runs of record's wheel:
# the 12 64-row prefill kernels differ, as in the measured build); if it is gone, on the CPU machine:
#   git checkout wip/prefill-shrink-ss && pip wheel -q --no-deps -w dist_F . && git checkout main
#   (or: git apply benchmarks/results/2026-12-01-prefill-shrink-ss-prepared/prefill-shrink-ss.patch on main 8650bbe,
#   entry 109's split; the measured wheel was built from 682cf26 + the same change before that split: the 6 prefill
#   units' SASS is identical between the two)
# then run(command="bash benchmarks/results/2026-12-01-prefill-shrink-ss-prepared/next-session.sh", carry=["dist_F"]):
# the whole GPU suite on that wheel, then compute-sanitizer memcheck and racecheck over the 64-row prefill kernels'
# per-kernel tests (racecheck: the stages are released one stage late, after wait<1>).
set -u
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_F/*.whl
cd tests
PYTHONPATH=/tmp/sF timeout 330 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -4 > $OUT/gpu-suite.txt
tail -1 $OUT/gpu-suite.txt
PYTHONPATH=/tmp/sF timeout 120 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
  -p no:cacheprovider test_gpu_kernels.py -k "test_kernel and prefill and m64" > $OUT/memcheck.txt 2>&1
tail -2 $OUT/memcheck.txt
PYTHONPATH=/tmp/sF timeout 120 compute-sanitizer --tool racecheck python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "test_kernel and prefill and m64 and bf16" > $OUT/racecheck.txt 2>&1
tail -2 $OUT/racecheck.txt
