#!/usr/bin/env bash
# A/B of two prefill builds on the GPU machine (benchmarks/NOTES.md, entries 57-59): B's prefill GPU tests, its
# kernels' registers and stack, then benchmarks/ab_cases.py (the full sweep's cases that run on the prefill kernel,
# bf16) in the order A B B A, and benchmarks/ab_summary.py over the four runs. Wheels built on the CPU machine with
# SGMV_KERNELS="sgmv_prefill_bf16_*" into two git-ignored folders, carried to the GPU machine; from the repository root:
#   bash benchmarks/ab_prefill_builds.sh dist_pA dist_pB "$OUT"
set -uo pipefail
a_dir=$1 b_dir=$2 out=$3
rm -rf /tmp/ab_A /tmp/ab_B  # pip --target keeps what an earlier call installed there
python3 -m pip install -q --no-deps --no-index --target /tmp/ab_A "$a_dir"/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/ab_B "$b_dir"/*.whl
(export PYTHONPATH=/tmp/ab_B; cd tests && timeout 150 python3 -m pytest -q --tb=line test_gpu_*.py -k prefill 2>&1 \
  | grep -v "^  " | tail -8) > "$out/gpu-tests.txt"
tail -2 "$out/gpu-tests.txt"
for f in /tmp/ab_B/sgmv/kernels/*.fatbin; do  # a compile unit's kernels a file: a line a kernel
  cuobjdump --dump-resource-usage "$f" 2>&1 | awk '/ Function /{name = $2} /REG:/{print name, $1, $2, $4}'
done | tee "$out/resources.txt"
for run in A1 B1 B2 A2; do
  site=/tmp/ab_A; [ "${run:0:1}" = B ] && site=/tmp/ab_B
  PYTHONPATH=$site timeout 200 python3 benchmarks/ab_cases.py "$out/ab/$run" bf16 > "$out/ab-$run.log" 2>&1 || echo "run $run failed"
done
python3 benchmarks/ab_summary.py "$out/ab" A1,A2 B1,B2 | tee "$out/ab-summary.txt"
tar czf "$out/ab-runs.tgz" -C "$out" ab && rm -rf "$out/ab"  # one file back from the device, not a file a run
