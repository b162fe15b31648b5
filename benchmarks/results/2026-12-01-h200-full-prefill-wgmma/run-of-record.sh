# The runs of record after entry 106, on the default wheel of commit 682cf26 (dist_rec3, built on the CPU machine
# with `pip wheel -q --no-deps -w dist_rec3 .`). Two device calls (a call may run 600 s):
#   `bash .../run-of-record.sh suite-quick`: the whole GPU suite, then the quick sweep (bf16 and fp16, with
#   baselines and serving pairs);
#   `bash .../run-of-record.sh full`: the full sweep, each dtype with baselines and no serving pairs;
# run(command=..., carry=["dist_rec3"]).
set -o pipefail
REPO=$PWD
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_rec3/*.whl
export PYTHONPATH=/tmp/sF
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
python3 -c "import sys, torch, cuda.bindings; print(sys.version.split()[0], torch.__version__, cuda.bindings.__version__)" | tee $OUT/versions.txt
if [ "$1" = full ]; then
  cd /tmp
  for d in bf16 fp16; do
    rm -rf /tmp/full-$d; timeout 150 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1; echo "$d rc=$? $(tail -1 /tmp/full-$d.log)"
    cp /tmp/full-$d.log /tmp/full-$d/bench.log 2>/dev/null; cp $OUT/gpu.txt /tmp/full-$d/gpu.txt
  done
  tar czf $OUT/full.tgz full-bf16 full-fp16
else
  (cd $REPO/tests && timeout 360 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt); tail -1 $OUT/gpu-suite.txt
  cd /tmp && rm -rf /tmp/quick && timeout 180 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; echo "bench rc=$?"; tail -1 /tmp/bench.log
  cp $OUT/gpu.txt /tmp/quick/gpu.txt; cp /tmp/bench.log /tmp/quick/bench.log; tar czf $OUT/quick.tgz quick
fi
