# Session 2026-11-30c call 9: the prefill producers copy B's rows in line order at rank 16 (each 8 lanes one whole
# 128-byte line). F = main (dist_pF, bf16 prefill), L = the change (dist_pL, all prefill kernels). r16 prefill GPU
# tests (both dtypes) on L, then A/B F L L F.
set -o pipefail
REPO=$PWD; rm -rf /tmp/ab
for v in pF pL; do rm -rf /tmp/s$v; python3 -m pip install -q --no-deps --no-index --target /tmp/s$v dist_$v/*.whl; done
cd tests && PYTHONPATH=/tmp/spL timeout 60 python3 -m pytest -q test_gpu_kernels.py -k "prefill and r16" 2>&1 | grep -E "FAILED|passed|failed|rror" | head -8 | tee $OUT/tests-L.txt
cd /tmp
for v in pF pL pL pF; do
  n=$(( $(ls -d /tmp/ab/$v[0-9] 2>/dev/null | wc -l) + 1 ))
  PYTHONPATH=/tmp/s$v timeout 40 python3 $REPO/benchmarks/ab_cases.py /tmp/ab/$v$n bf16 > /tmp/ab_$v$n.log 2>&1 || tail -3 /tmp/ab_$v$n.log
done
python3 $REPO/dist_run/ab_summary.py /tmp/ab pF1,pF2 pL1,pL2 > $OUT/ab-line-order.txt; cat $OUT/ab-line-order.txt
