# Session 2026-11-30c call 3: the handoff's operands prefetched into L2 before the PDL wait (cp.async.bulk.prefetch).
# F = main (05668e2), R = the change; filtered builds. Fused GPU tests on R, then A/B F R R F.
set -o pipefail
REPO=$PWD; rm -rf /tmp/ab
for v in F R2 R3; do rm -rf /tmp/s$v; python3 -m pip install -q --no-deps --no-index --target /tmp/s$v dist_ab$v/*.whl; done
cd tests && PYTHONPATH=/tmp/sR2 timeout 100 python3 -m pytest -q test_gpu_kernels.py -k "fused or handoff or tables or chain" 2>&1 | grep -E "FAILED|passed|failed|rror" | head -8 | tee $OUT/tests-R.txt
cd /tmp
for v in F R2 R3 R3 R2 F; do
  n=$(( $(ls -d /tmp/ab/$v* 2>/dev/null | wc -l) + 1 ))
  PYTHONPATH=/tmp/s$v timeout 40 python3 $REPO/dist_run/ab_handoff.py /tmp/ab/$v$n > /tmp/ab_$v$n.log 2>&1 || tail -3 /tmp/ab_$v$n.log
done
python3 $REPO/dist_run/ab_summary.py /tmp/ab F1,F2 R21,R22 > $OUT/ab-R2.txt; cat $OUT/ab-R2.txt
python3 $REPO/dist_run/ab_summary.py /tmp/ab F1,F2 R31,R32 > $OUT/ab-R3.txt; cat $OUT/ab-R3.txt
