# Entry 98, call 11: v2 (full-rank tiles copy with the immediate size as before, a branch per tile around v1's
# copies; not saved as a patch: NOTES entry 98 says what it was; default wheel dist_ranks2) against the shipped one
# (dist_record): the prefill and
# true-ranks GPU tests on B; the quick sweep's prefill-kernel add_lora cases A B B A (ab-summary-2.txt); the
# serving pairs on B once (pairs-B3); compute-sanitizer memcheck over the public-op true-ranks prefill tests on B.
set -u
bash benchmarks/ab_quick_builds.sh dist_record dist_ranks2 "$OUT" "prefill or true_ranks" "prefill,distinct_bs64,distinct_bs256"
mv "$OUT/ab-summary.txt" "$OUT/ab-summary-2.txt"; mv "$OUT/gpu-tests.txt" "$OUT/gpu-tests-2.txt"
repo=$PWD
cd /tmp && PYTHONPATH=/tmp/abq_B timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --no-baselines \
  --cases prefill_bs4096 --out /tmp/pairs-B3 > /tmp/pairs-B3.log 2>&1 || echo "pairs B3 failed"
mkdir -p $OUT/pairs-B3 && cp /tmp/pairs-B3/pairs.csv /tmp/pairs-B3/table.txt $OUT/pairs-B3/
grep -h "bs4096_a64" $OUT/pairs-B3/table.txt
cd $repo/tests && PYTHONPATH=/tmp/abq_B timeout 200 compute-sanitizer --tool memcheck python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "test_prefill_takes_true_ranks" > $OUT/memcheck.txt 2>&1; tail -3 $OUT/memcheck.txt
