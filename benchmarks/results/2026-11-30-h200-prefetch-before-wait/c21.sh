# Session 2026-11-30c call 5: prefetch.global.L2 lines before the PDL wait. F = main, R4 = lines for grids <= SMs,
# R5 = lines always. Back to back (ab_handoff) and after a torch copy (after_other), each A B C C B A.
set -o pipefail
REPO=$PWD; rm -rf /tmp/ab
for v in F R4 R5; do rm -rf /tmp/s$v; python3 -m pip install -q --no-deps --no-index --target /tmp/s$v dist_ab$v/*.whl; done
cd tests && PYTHONPATH=/tmp/sR5 timeout 100 python3 -m pytest -q test_gpu_kernels.py -k "fused or handoff or tables or chain" 2>&1 | grep -E "FAILED|passed|failed|rror" | head -8 | tee $OUT/tests-R5.txt
cd /tmp
for v in F R4 R5 R5 R4 F; do
  n=$(( $(ls -d /tmp/ab/$v[0-9] 2>/dev/null | wc -l) + 1 ))
  PYTHONPATH=/tmp/s$v timeout 40 python3 $REPO/dist_run/ab_handoff.py /tmp/ab/$v$n > /tmp/ab_$v$n.log 2>&1 || tail -3 /tmp/ab_$v$n.log
  PYTHONPATH=/tmp/s$v timeout 60 python3 $REPO/dist_run/after_other.py $OUT/after-$v-$n.txt > /dev/null 2>/tmp/err.txt || tail -3 /tmp/err.txt
done
for v in R4 R5; do python3 $REPO/dist_run/ab_summary.py /tmp/ab F1,F2 ${v}1,${v}2 > $OUT/ab-$v.txt; cat $OUT/ab-$v.txt; done
for n in 1 2; do paste $OUT/after-F-$n.txt $OUT/after-R4-$n.txt $OUT/after-R5-$n.txt | awk '{printf "%-36s after-copy F %s R4 %s R5 %s\n", $1, $3, $10, $17}'; done | tee $OUT/after-summary.txt
