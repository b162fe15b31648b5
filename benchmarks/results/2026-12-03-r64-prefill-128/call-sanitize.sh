#!/usr/bin/env bash
# NOTES entry 224 (prepared for the next session): rank 64's 128-column 16-row prefill tile under the sanitizers,
# then its few-rows and mid-size batches (fused_sweep.py mid), on a default wheel of head (dist_p128, entry 221's, or
# one built as `pip wheel -q --no-deps -w DIR .`: head generates the same sources), from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-r64-prefill-128/call-sanitize.sh DIR", carry=["DIR"])
repo=$PWD
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "${1:-dist_p128}"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd "$repo/tests"
# per test a line (-v), so a run the timeout cuts still says how far it got; memcheck reports errors as they happen
timeout 100 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -v -p no:cacheprovider \
  test_gpu_kernels.py test_gpu_one_launch.py \
  -k "(test_kernel and m16n128 and prefill) or (test_prefill_shapes and bf16 and m16n128 and not 4096x4096)" \
  > "$OUT/memcheck.txt" 2>&1
echo "memcheck rc=$?: $(grep -c PASSED "$OUT/memcheck.txt") passed, $(grep -c FAILED "$OUT/memcheck.txt") failed," \
  "$(grep -c 'Invalid\|Error:' "$OUT/memcheck.txt") error lines; $(grep 'ERROR SUMMARY' "$OUT/memcheck.txt")"
k=sgmv_prefill_bf16_r64_hany_w7m16n128u1_v8
timeout 40 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill \
  python3 ../benchmarks/sanitize/racecheck_probe.py $k 1,1,3 > "$OUT/racecheck-$k.txt" 2>&1
echo "racecheck $k rc=$?: $(grep -E 'RACECHECK SUMMARY|Error' "$OUT/racecheck-$k.txt" | tr '\n' ' ')"
# Entry 224's prepared measurement: both 16-row tiles (and the 64-row tile) forced on fused_sweep's MID_BATCHES, the
# few-rows and mid-size batches outside the sweeps that entry 221 moved to the 128-column tile at rank 64 (rank 32: the
# control, unchanged).
cd /tmp && timeout 150 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/mid-bf16.json" bf16 "" mid \
  "m16n256u1_v8/prefill,m16n128u1_v8/prefill,m64n128u1_v8/prefill" 2>&1 | tee "$OUT/mid-bf16.txt"
