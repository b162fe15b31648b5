# The runs of record after entry 112, on the default wheel of main (dist_rec5, built on the CPU machine with
# `pip wheel -q --no-deps -w dist_rec5 .`), in one device call (typically ~460 s of the 600 a call may run):
# run(command="bash benchmarks/results/2026-12-01-h200-full-held-stage/run-of-record.sh", carry=["dist_rec5"]).
# The whole GPU suite; compute-sanitizer memcheck and racecheck over the 64-row prefill kernels' per-kernel tests
# (entry 112 changed their stage counts at r32 and r64); the quick sweep (bf16 and fp16, with baselines and serving
# pairs); the full sweep, each dtype with baselines and no serving pairs. Outputs under $OUT: gpu-suite.txt,
# memcheck.txt, racecheck.txt, quick.tgz, full.tgz, gpu.txt, versions.txt.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_rec5/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
python3 -c "import sys, torch, cuda.bindings; print(sys.version.split()[0], torch.__version__, cuda.bindings.__version__)" | tee $OUT/versions.txt
cd $REPO/tests
timeout 300 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
sel="test_kernel and prefill and m64"
timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "$sel" > $OUT/memcheck.txt 2>&1; tail -2 $OUT/memcheck.txt
timeout 60 compute-sanitizer --tool racecheck python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py \
  -k "$sel and bf16" > $OUT/racecheck.txt 2>&1; tail -2 $OUT/racecheck.txt
cd /tmp && rm -rf /tmp/quick && timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; echo "bench rc=$?"; tail -1 /tmp/bench.log
cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; tar czf $OUT/quick.tgz quick
for d in bf16 fp16; do
  rm -rf /tmp/full-$d; timeout 110 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$? $(tail -1 /tmp/full-$d.log)"
  cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null; cp $OUT/gpu.txt /tmp/full-$d/gpu.txt
done
tar czf $OUT/full.tgz full-bf16 full-fp16
