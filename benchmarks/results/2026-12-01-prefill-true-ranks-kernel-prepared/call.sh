# Prepared in the session of entry 98 (no device time was left), to run first in the next one: NOTES entry 99.
# On the CPU machine (the change is true-ranks-kernel.patch in this folder, also the branch wip/prefill-true-ranks-
# kernel where it survived):
#   pip wheel -q --no-deps -w dist_main .          # main as it is
#   git apply benchmarks/results/2026-12-01-prefill-true-ranks-kernel-prepared/true-ranks-kernel.patch
#   pip wheel -q --no-deps -w dist_trk .
#   bash benchmarks/sass_compare.sh dist_main/*.whl dist_trk/*.whl   # expect: same 364, differ 0
# then, with the patch applied: run(command="bash benchmarks/results/2026-12-01-prefill-true-ranks-kernel-prepared/
# call.sh", carry=["dist_main", "dist_trk"]). It runs the prefill and true-ranks GPU tests on the branch's wheel, the
# serving pairs on both wheels (A B B A: the mixed-ranks pair at 4096 rows should go from 0.79-0.83x the padded
# batch to ~1.05x), and compute-sanitizer memcheck over the new public-op test.
set -u
rm -rf /tmp/abq_A /tmp/abq_B
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_A dist_main/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_B dist_trk/*.whl
repo=$PWD
(cd tests && PYTHONPATH=/tmp/abq_B timeout 240 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py \
  -k "prefill or true_ranks" 2>&1 | tail -3) > $OUT/gpu-tests.txt; tail -1 $OUT/gpu-tests.txt
cd /tmp
for run in A1 B1 B2 A2; do
  site=/tmp/abq_A; [ "${run:0:1}" = B ] && site=/tmp/abq_B
  PYTHONPATH=$site timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --no-baselines --cases prefill_bs4096 \
    --out /tmp/pairs-$run > /tmp/pairs-$run.log 2>&1 || echo "pairs $run failed"
  mkdir -p $OUT/pairs-$run && cp /tmp/pairs-$run/pairs.csv /tmp/pairs-$run/table.txt $OUT/pairs-$run/ 2>/dev/null
done
grep -h "mixed_ranks.*bs4096" $OUT/pairs-*/table.txt
cd $repo/tests && PYTHONPATH=/tmp/abq_B timeout 200 compute-sanitizer --tool memcheck --report-api-errors no \
  python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k "test_prefill_takes_true_ranks" > $OUT/memcheck.txt 2>&1
tail -2 $OUT/memcheck.txt
