# Session 2026-11-30b call 1: GPU suite on the final kernels (dist_rec6 = c02927e), the 32-row fused handoff A/B
# (D = fused-only build with extra tiles, E = D + the 32-row patch), fused tests on E, racecheck cluster 2.
set -o pipefail
REPO=$PWD
for v in rec6 abD abE; do rm -rf /tmp/s$v; python3 -m pip install -q --no-deps --no-index --target /tmp/s$v dist_$v/*.whl; done
cd tests
PYTHONPATH=/tmp/sabE timeout 120 python3 -m pytest -q -x test_gpu_kernels.py -k "fused or handoff or chain" 2>&1 | tail -3 > $OUT/fusedE-tests.txt; cat $OUT/fusedE-tests.txt
cd /tmp
for v in D E E D; do
  n=$(ls -d /tmp/ab/$v* 2>/dev/null | wc -l); n=$((n+1))
  PYTHONPATH=/tmp/sab$v timeout 60 python3 -m sgmv bench --quick --dtype bf16 --op add_lora --cases _r64_ --no-baselines --no-pairs --out /tmp/ab/$v$n > /tmp/ab_$v$n.log 2>&1 || tail -3 /tmp/ab_$v$n.log
done
python3 $REPO/dist_run/ab_summary.py /tmp/ab D1,D2 E1,E2 > $OUT/ab-fused32.txt; cat $OUT/ab-fused32.txt | tail -30
cd $REPO/tests
PYTHONPATH=/tmp/srec6 timeout 300 python3 -m pytest -q . 2>&1 | tail -5 > $OUT/gpu-suite.txt; tail -2 $OUT/gpu-suite.txt
PYTHONPATH=/tmp/srec6 timeout 90 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 $REPO/dist_run/race_small.py sgmv_prefill_bf16_r16_hany_w11m16n256 2 > $OUT/race2.txt 2>&1; echo "rc $?" >> $OUT/race2.txt
grep -E "RACECHECK SUMMARY|ERROR SUMMARY|Race reported|rror|rc " $OUT/race2.txt | head -5
