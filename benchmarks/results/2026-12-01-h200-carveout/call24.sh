# Call 24 (entry 85): which shared-memory carveout the driver gives the fused kernels (ncu's launch statistics), and an
# A/B of the shipped build (A = dist_h) against the same wheel whose loader asks each kernel for the smallest carveout
# that holds its blocks an SM (C: benchmarks/results/2026-12-01-h200-carveout/carveout_overlay.py): fused GPU tests on C, quick add_lora A C C A.
set -o pipefail
REPO=$PWD
rm -rf /tmp/s_h /tmp/s_c /tmp/ab
python3 -m pip install -q --no-deps --no-index --target /tmp/s_h dist_h/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/s_c dist_h/*.whl
python3 benchmarks/results/2026-12-01-h200-carveout/carveout_overlay.py /tmp/s_c
export CARVEOUT_LOG=$OUT/carveout.log
cd /tmp
for v in h c; do
  PYTHONPATH=/tmp/s_$v timeout 120 ncu --clock-control none --section LaunchStats --section Occupancy -k regex:sgmv_fused \
    python3 $REPO/benchmarks/profile_cases.py distinct1_r64 uniform64_r64_h8192 distinct16_r64_h8192 distinct16_r16 > $OUT/ncu-$v.txt 2>&1
  echo "ncu $v: $(grep -c 'Shared Memory Configuration Size' $OUT/ncu-$v.txt) launches"
done
(cd $REPO/tests && PYTHONPATH=/tmp/s_c timeout 100 python3 -m pytest -q -x -p no:cacheprovider test_gpu_kernels.py -k "fused or handoff or graph or chain" 2>&1 | grep -v "^  " | tail -2) > $OUT/gpu-tests-c.txt; echo "tests c: $(tail -1 $OUT/gpu-tests-c.txt)"
for run in h_1 c_1 c_2 h_2; do
  PYTHONPATH=/tmp/s_${run%_*} timeout 90 python3 -m sgmv bench --quick --dtype bf16,fp16 --op add_lora --no-baselines --no-pairs --out /tmp/ab/$run > /tmp/ab-$run.log 2>&1 || echo "run $run failed"
done
python3 $REPO/benchmarks/ab_summary.py /tmp/ab h_1,h_2 c_1,c_2 > $OUT/ab-summary-c.txt; echo "c: $(tail -1 $OUT/ab-summary-c.txt)"
tar czf $OUT/ab.tgz ab
