# Entry 98, call 10: the prefill kernel with true ranks (v1-sizes-per-copy-NOT-KEPT.patch: a size per copy of A and B;
# the default wheel
# dist_ranks) against the shipped one (dist_record, 7b9cca7). The GPU tests of the prefill kernel and of true
# ranks on B; the quick sweep's prefill-kernel add_lora cases A B B A, both dtypes (no ranks: the path every
# other call takes); then the quick sweep's serving pairs (mixed ranks 8/64 at true ranks against padded) on A and
# on B, twice each in the order A B B A, beside the two prefill cases.
set -u
bash benchmarks/ab_quick_builds.sh dist_record dist_ranks "$OUT" "prefill or true_ranks" "prefill,distinct_bs64,distinct_bs256"
cd /tmp
for run in A1 B1 B2 A2; do
  site=/tmp/abq_A; [ "${run:0:1}" = B ] && site=/tmp/abq_B
  PYTHONPATH=$site timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --no-baselines --cases prefill_bs4096 \
    --out /tmp/pairs-$run > /tmp/pairs-$run.log 2>&1 || echo "pairs $run failed"
  mkdir -p $OUT/pairs-$run && cp /tmp/pairs-$run/pairs.csv /tmp/pairs-$run/table.txt $OUT/pairs-$run/ 2>/dev/null
done
grep -h "mixed_ranks" $OUT/pairs-*/table.txt | head -40
