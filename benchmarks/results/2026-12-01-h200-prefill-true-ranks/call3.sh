# Entry 98, call 12: v5 (kZeroFillA: producers zero-fill A's rows past the rank where a lane copies at
# most 16 of them a stage, else the consumers zero v; B's columns zero-filled;
# v5-zero-fill-a-or-mask-v-NOT-KEPT.patch; default
# wheel dist_ranks3) against the shipped one (dist_record): the quick sweep's prefill-kernel add_lora cases A B B A,
# both dtypes (ab-summary-3.txt); the serving pairs on B (pairs-B4); the whole GPU suite on B (gpu-suite.txt).
set -u
bash benchmarks/ab_quick_builds.sh dist_record dist_ranks3 "$OUT" "" "prefill,distinct_bs64,distinct_bs256"
mv "$OUT/ab-summary.txt" "$OUT/ab-summary-3.txt"
repo=$PWD
cd /tmp && PYTHONPATH=/tmp/abq_B timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --no-baselines \
  --cases prefill_bs4096 --out /tmp/pairs-B4 > /tmp/pairs-B4.log 2>&1 || echo "pairs B4 failed"
mkdir -p $OUT/pairs-B4 && cp /tmp/pairs-B4/pairs.csv /tmp/pairs-B4/table.txt $OUT/pairs-B4/
grep -h "mixed_ranks" $OUT/pairs-B4/table.txt
cd $repo/tests && PYTHONPATH=/tmp/abq_B timeout 260 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
