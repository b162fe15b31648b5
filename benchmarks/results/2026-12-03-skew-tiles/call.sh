#!/usr/bin/env bash
# NOTES entry 234 (prepared for the next session; prediction there): fused_sweep's `skew` set (96 batches: 16-32
# segments, one 2-3x the others, four shapes, r16-r64) on a default wheel of head, bf16, every one-launch kernel forced
# beside dispatch's pick, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-skew-tiles/call.sh DIR", carry=["DIR"])
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
cd /tmp && PYTHONPATH=/tmp/new timeout 500 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/skew-bf16.json" bf16 "" skew \
  > "$OUT/skew-bf16.txt" 2>&1
echo "skew rc=$?"; tail -3 "$OUT/skew-bf16.txt"
