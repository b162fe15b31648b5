# Session 2026-11-30b call 2: fused 32-row handoff A/B (D/E builds with r64/r16 pair kernels); prefill A/B of
# A = main, S = spin-wait, O = offsets-held, SO = both (filtered prefill builds), with their prefill GPU tests.
set -o pipefail
REPO=$PWD; rm -rf /tmp/ab
for v in abD abE abA abS abO abSO; do rm -rf /tmp/s$v; python3 -m pip install -q --no-deps --no-index --target /tmp/s$v dist_$v/*.whl; done
cd tests
PYTHONPATH=/tmp/sabE timeout 100 python3 -m pytest -q test_gpu_kernels.py -k "fused or handoff or chain or tables" 2>&1 | grep -E "FAILED|passed|failed|rror" | head -12 > $OUT/fusedE-tests.txt; cat $OUT/fusedE-tests.txt
for v in S O SO; do PYTHONPATH=/tmp/sab$v timeout 60 python3 -m pytest -q test_gpu_kernels.py -k prefill 2>&1 | tail -1 | sed "s/^/$v: /"; done | tee $OUT/prefill-tests.txt
cd /tmp
for v in D E E D; do
  PYTHONPATH=/tmp/sab$v timeout 60 python3 -m sgmv bench --quick --dtype bf16 --op add_lora --cases _r64_ --no-baselines --no-pairs --out /tmp/ab/$v$(( $(ls -d /tmp/ab/$v* 2>/dev/null | wc -l) + 1 )) > /tmp/ab_$v.log 2>&1 || tail -3 /tmp/ab_$v.log
done
python3 $REPO/dist_run/ab_summary.py /tmp/ab D1,D2 E1,E2 > $OUT/ab-fused32.txt; cat $OUT/ab-fused32.txt | tail -24
for v in A S O SO SO O S A; do
  PYTHONPATH=/tmp/sab$v timeout 45 python3 $REPO/benchmarks/ab_cases.py /tmp/ab/$v$(( $(ls -d /tmp/ab/$v[0-9]* 2>/dev/null | wc -l) + 1 )) bf16 > /tmp/ab_$v.log 2>&1 || tail -3 /tmp/ab_$v.log
done
for v in S O SO; do python3 $REPO/dist_run/ab_summary.py /tmp/ab A1,A2 ${v}1,${v}2 > $OUT/ab-$v.txt; echo "== $v"; grep -E "median" $OUT/ab-$v.txt; done
