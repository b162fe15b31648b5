#!/usr/bin/env bash
# NOTES entries 222-223 in one call, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-auto-vs-forced/call.sh", carry=["dist_p128"])
# 1. Entry 222: probe.py on four quick r64 grid-handoff cases (dispatch's launch against the same kernel forced).
# 2. Entry 223: the run of record's whole GPU suite and quick sweep on dist_p128 (entry 221's wheel).
repo=$PWD
rm -rf /tmp/pr && python3 -m pip install -q --no-deps --no-index --target /tmp/pr dist_p128/*.whl || exit 1
(cd /tmp && PYTHONPATH=/tmp/pr timeout 100 python3 "$repo/benchmarks/results/2026-12-03-auto-vs-forced/probe.py" \
  h4096_r64_distinct_bs16_s16 h8192_r64_uniform_bs64_s8 h4096_r64_identical_bs256_s1 h8192_r64_uniform_bs256_s16 \
  2>&1 | tee "$OUT/auto-vs-forced.txt")
bash benchmarks/run_of_record.sh dist_p128 suite quick
