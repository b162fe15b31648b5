# The GPU suite on the default wheel of 24f2d83 (entry 99 applied, the random-problem test added;
# `pip wheel -q --no-deps -w dist_final .`, 1m48s on the 2-core CPU machine, 376 kernels), then compute-sanitizer
# memcheck over the 48 random problems. run(command=<below>, carry=["dist_final"]).
set -o pipefail; rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_final/*.whl && export PYTHONPATH=/tmp/sF; cd tests && timeout 330 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -8 > $OUT/gpu-suite.txt; tail -3 $OUT/gpu-suite.txt; timeout 240 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "random_problems" > $OUT/memcheck-random.txt 2>&1; tail -3 $OUT/memcheck-random.txt
