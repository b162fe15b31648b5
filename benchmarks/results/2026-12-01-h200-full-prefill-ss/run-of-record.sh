# The runs of record after entries 108 and 110, on the default wheel of main's commit d9c54a0 (dist_rec4, built on the
# CPU machine with `pip wheel -q --no-deps -w dist_rec4 .`). Two device calls (a call may run 600 s),
# run(command="bash .../run-of-record.sh MODE", carry=["dist_rec4"]):
#   checks-full: compute-sanitizer memcheck and racecheck over the 64-row prefill kernels' per-kernel tests (entry 108
#     releases a stage one stage late, after warpgroup_wait<1>), then the full sweep, each dtype with baselines and no
#     serving pairs;
#   suite-quick: the whole GPU suite, then the quick sweep (bf16 and fp16, with baselines and serving pairs), then
#     memcheck over the 64-row prefill kernels' awkward shapes in bf16 for at most 90 s.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_rec4/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
python3 -c "import sys, torch, cuda.bindings; print(sys.version.split()[0], torch.__version__, cuda.bindings.__version__)" | tee $OUT/versions.txt
if [ "$1" = checks-full ]; then
  sel="test_kernel and prefill and m64"
  (cd $REPO/tests && timeout 170 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
    -p no:cacheprovider test_gpu_kernels.py -k "$sel" > $OUT/memcheck.txt 2>&1); tail -2 $OUT/memcheck.txt
  (cd $REPO/tests && timeout 130 compute-sanitizer --tool racecheck python3 -m pytest -q -p no:cacheprovider \
    test_gpu_kernels.py -k "$sel and bf16" > $OUT/racecheck.txt 2>&1); tail -2 $OUT/racecheck.txt
  cd /tmp
  for d in bf16 fp16; do
    rm -rf /tmp/full-$d; timeout 120 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$? $(tail -1 /tmp/full-$d.log)"
    cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null; cp $OUT/gpu.txt /tmp/full-$d/gpu.txt
  done
  tar czf $OUT/full.tgz full-bf16 full-fp16
else
  (cd $REPO/tests && timeout 360 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt); tail -1 $OUT/gpu-suite.txt
  cd /tmp && rm -rf /tmp/quick && timeout 180 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; echo "bench rc=$?"; tail -1 /tmp/bench.log
  cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; tar czf $OUT/quick.tgz quick
  # what time is left: memcheck over the 64-row prefill kernels' awkward shapes (bf16)
  (cd $REPO/tests && timeout 90 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
    -p no:cacheprovider test_gpu_one_launch.py -k "test_prefill_shapes and m64 and bf16" 2>&1 | tail -3 \
    > $OUT/memcheck-shapes.txt); tail -2 $OUT/memcheck-shapes.txt
fi
