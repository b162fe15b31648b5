#!/bin/bash
# NOTES entry 264: compute-sanitizer over the fused kernels that stage v split (ranks 32-128, entry 262), on the
# shipped wheel. Usage (device, repository root): bash benchmarks/results/2026-12-04-s264-record/sanitize_fused.sh DIR
#   memcheck: test_gpu_one_launch.py's fused tests of those kernels (both dtypes) at 1032x1000 (every layout: one-row,
#             empty and -1 segments, skewed, four row tiles), the two-tile and shared-workspace tests, one process
#             -> $OUT/memcheck-fused.txt
#   racecheck: each bf16 kernel of those ranks but the _flat and _tb twins (the same staging code): its two-tile test,
#             its grid-handoff test and its clustered shape test on 1032x1000, one process a kernel (hazards between
#             the split store of v and the MMAs' reads of it) -> $OUT/racecheck-fused.txt
set -u
repo=$PWD
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd "$repo/tests"
ranks="(_r32_ or _r64_ or _r128_)"
timeout 240 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_one_launch.py -k "fused and $ranks and (1032x1000 or two_column or share_the_workspace)" \
  > "$OUT/memcheck-fused.txt" 2>&1
echo "memcheck rc=$? $(grep -E 'passed|failed' "$OUT/memcheck-fused.txt" | tail -1) | $(tail -1 "$OUT/memcheck-fused.txt")"
for k in $(python3 -c "from gpu_checks import KERNELS
print(*(k.name for k in KERNELS if k.op == 'fused' and k.dtype == 'bf16' and k.rank >= 32 and not k.flat_tiles and not k.tile_barrier))"); do
  out=$(timeout 30 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused python3 -m pytest -q \
        -p no:cacheprovider test_gpu_one_launch.py -k "$k and not _flat and not _tb and (two_column or \
        (grid_handoff and 1032x1000-mixed) or (fused_shapes and 1032x1000-uniform))" 2>&1)
  rc=$?
  echo "$(grep -E 'passed|failed|RACECHECK SUMMARY' <<<"$out" | tr '\n' ' ')rc=$rc $k"
done > "$OUT/racecheck-fused.txt"
echo "racecheck: $(grep -c 'passed.*0 hazards' "$OUT/racecheck-fused.txt") of $(wc -l < "$OUT/racecheck-fused.txt")" \
  "kernels passed with 0 hazards"
