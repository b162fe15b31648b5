#!/usr/bin/env bash
# A/B of two default builds on the quick sweep's add_lora cases, both dtypes (benchmarks/NOTES.md, entries 69-79):
# optionally B's GPU tests selected by a pytest -k expression, then `python -m sgmv bench --quick --op add_lora` without
# baselines or serving pairs in the order A B B A, and benchmarks/ab_summary.py over the four runs. Wheels built on
# the CPU machine (`pip wheel --no-deps -w DIR .`) into two git-ignored folders, carried to the GPU machine; from the
# repository root:
#   bash benchmarks/ab_quick_builds.sh dist_A dist_B "$OUT" ["fused or handoff or graph or chain"] [CASES] [full]
# CASES: the bench's --cases (a comma list of texts, e.g. "r64_distinct_bs1_,identical_bs256"; default: every case);
# "full" picks them from the full sweep instead of the quick one (with a CASES filter: its 300 cases take long);
# an empty -k expression ("") runs no tests. Each bench run starts in ~10 s, so a few cases cost little.
# Writes $OUT/ab-summary.txt, each run's results-RUN.csv (and $OUT/gpu-tests.txt with a -k expression); prints the
# summary's last line. (Calls before entry 192 copied the CSVs themselves.)
set -uo pipefail
a_dir=$1 b_dir=$2 out=$3 tests=${4:-} cases=${5:-} sweep=--quick
[ "${6:-}" = full ] && sweep=
repo=$PWD
rm -rf /tmp/abq_A /tmp/abq_B /tmp/abq  # pip --target keeps what an earlier call installed there
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_A "$a_dir"/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/abq_B "$b_dir"/*.whl
if [ -n "$tests" ]; then
  (cd tests && PYTHONPATH=/tmp/abq_B timeout 240 python3 -m pytest -q -p no:cacheprovider test_gpu_*.py -k "$tests" \
    2>&1 | grep -v "^  " | tail -2) > "$out/gpu-tests.txt"
  tail -1 "$out/gpu-tests.txt"
fi
cd /tmp  # the installed package, not the checkout's python/
for run in A1 B1 B2 A2; do
  site=/tmp/abq_A; [ "${run:0:1}" = B ] && site=/tmp/abq_B
  PYTHONPATH=$site timeout 150 python3 -m sgmv bench $sweep --dtype bf16,fp16 --op add_lora --no-baselines \
    --no-pairs ${cases:+--cases "$cases"} --out "/tmp/abq/$run" > "/tmp/abq-$run.log" 2>&1 || echo "run $run failed"
done
python3 "$repo/benchmarks/ab_summary.py" /tmp/abq A1,A2 B1,B2 > "$out/ab-summary.txt"
for run in A1 B1 B2 A2; do cp "/tmp/abq/$run/results.csv" "$out/results-$run.csv" 2>/dev/null; done  # each run's times
tail -1 "$out/ab-summary.txt"
