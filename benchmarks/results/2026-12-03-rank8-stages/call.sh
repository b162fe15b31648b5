#!/usr/bin/env bash
# NOTES entry 253 (device; from the repository root): rank 8's one-block 16-row prefill tile with 12 (B) and 9 (C)
# stages against 6 (A: main's kernels; the wheel of entry 252's call, whose prefill and fused kernels and rank-8
# dispatch are main's), full wheels carried as one bundle (`wheel_xz.py pack dist_A,dist_B,dist_C dist_ABCx`).
# B's and C's rank-8 prefill GPU tests, then ab_cases.py on every rank-8 case of 64 rows or more (bf16) in the order
# A B C C B A, and ab_summary.py for B and C against A.
set -uo pipefail
out=$OUT
python3 benchmarks/wheel_xz.py unpack dist_ABCx . || exit 1
for w in A B C; do
  rm -rf /tmp/ab_$w && python3 -m pip install -q --no-deps --no-index --target /tmp/ab_$w dist_$w/*.whl || exit 1
done
for w in B C; do
  (export PYTHONPATH=/tmp/ab_$w; cd tests && timeout 120 python3 -m pytest -q --tb=line -p no:cacheprovider \
     test_gpu_*.py -k "prefill and r8" 2>&1 | grep -v "^  " | tail -6) > "$out/gpu-tests-$w.txt"
  echo "$w: $(tail -1 "$out/gpu-tests-$w.txt")"
done
for run in A1 B1 C1 C2 B2 A2; do
  PYTHONPATH=/tmp/ab_${run:0:1} timeout 100 python3 benchmarks/ab_cases.py "$out/ab/$run" bf16 8 > "$out/ab-$run.log" 2>&1 \
    || echo "run $run failed"
done
python3 benchmarks/ab_summary.py "$out/ab" A1,A2 B1,B2 > "$out/ab-summary-B.txt"
python3 benchmarks/ab_summary.py "$out/ab" A1,A2 C1,C2 > "$out/ab-summary-C.txt"
tail -12 "$out/ab-summary-B.txt"; tail -12 "$out/ab-summary-C.txt"
tar czf "$out/ab-runs.tgz" -C "$out" ab && rm -rf "$out/ab"
