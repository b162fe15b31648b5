#!/usr/bin/env bash
# NOTES entry 223: the new kernel under the sanitizers, then the full sweep's bf16 run of record (the device time left
# held no more), on dist_p128 (entry 221's wheel), from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-r64-prefill-128/call-record.sh", carry=["dist_p128"])
repo=$PWD
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_p128/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd "$repo/tests"
timeout 100 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py test_gpu_one_launch.py -k "m16n128 and prefill and not never_hang" > "$OUT/memcheck.txt" 2>&1
echo "memcheck rc=$?: $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")"
for k in sgmv_prefill_bf16_r64_hany_w7m16n128u1_v8 sgmv_prefill_fp16_r64_hany_w7m16n128u1_v8; do
  timeout 45 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill \
    python3 ../benchmarks/sanitize/racecheck_probe.py $k 1,1,3 > "$OUT/racecheck-$k.txt" 2>&1
  echo "racecheck $k rc=$?: $(grep -E 'RACECHECK SUMMARY|Error' "$OUT/racecheck-$k.txt" | tr '\n' ' ')"
done
cd /tmp && rm -rf full-bf16 && timeout 110 python3 -m sgmv bench --dtype bf16 --no-pairs --out /tmp/full-bf16 \
  > /tmp/full-bf16.log 2>&1; echo "full bf16 rc=$? $(tail -1 /tmp/full-bf16.log)"
cp /tmp/full-bf16.log full-bf16/bench.log 2>/dev/null; tar czf "$OUT/full.tgz" full-bf16
