# Session 2026-11-30c call 6: the prefill kernel's 16-row tile expands groups of at most 8 rows with swapped
# operands (expand_narrow). F = main, N = the change; prefill-only builds. Prefill GPU tests on N, A/B F N N F.
set -o pipefail
REPO=$PWD; rm -rf /tmp/ab
for v in pF pN; do rm -rf /tmp/s$v; python3 -m pip install -q --no-deps --no-index --target /tmp/s$v dist_$v/*.whl; done
cd tests && PYTHONPATH=/tmp/spN timeout 150 python3 -m pytest -q test_gpu_kernels.py -k "prefill" 2>&1 | grep -E "FAILED|passed|failed|rror" | head -12 | tee $OUT/tests-N.txt
cd /tmp
for v in pF pN pN pF; do
  n=$(( $(ls -d /tmp/ab/$v[0-9] 2>/dev/null | wc -l) + 1 ))
  PYTHONPATH=/tmp/s$v timeout 90 python3 $REPO/benchmarks/ab_cases.py /tmp/ab/$v$n bf16 > /tmp/ab_$v$n.log 2>&1 || tail -3 /tmp/ab_$v$n.log
done
python3 $REPO/dist_run/ab_summary.py /tmp/ab pF1,pF2 pN1,pN2 > $OUT/ab-narrow.txt; cat $OUT/ab-narrow.txt
