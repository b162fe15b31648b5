#!/usr/bin/env bash
# NOTES entries 198-199, from the repository root on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-02-r128-stages/call.sh", carry=["dist_m", "dist_u", "dist_v"])
# dist_u: head's default wheel (b3d7844); dist_v: the same with rank 128's prefill stages unpadded (four of 48 KB in
# place of three of 51; only the 4 rank-128 prefill kernels differ, sass_compare.sh); dist_m: entry 192's wheel, which
# ran rank 128's prefill batches as two rank-64 launches.
# 1. dist_v: the rank-128 prefill kernels' GPU tests, memcheck over them, racecheck on three small tiles (tests-v/)
# 2. A/B dist_u -> dist_v (A B B A) over the full sweep's 16 rank-128 prefill cases (ab-stages/)
# 3. entry 196's unmeasured batches: dist_m (two rank-64 launches) against dist_u (rank 128's tile) on rank-128
#    batches of 24-96 64-row tiles, where dispatch changed kernel (mid/; dispatch_sweep.py, a no-op constant)
set -uo pipefail
repo=$PWD
mkdir -p "$OUT/tests-v" "$OUT/ab-stages" "$OUT/mid"
rm -rf /tmp/v && python3 -m pip install -q --no-deps --no-index --target /tmp/v dist_v/*.whl || exit 1
(cd tests && export PYTHONPATH=/tmp/v
 timeout 120 python3 -m pytest -q -p no:cacheprovider -rf test_gpu_one_launch.py test_gpu_ops.py test_gpu_kernels.py \
   -k "r128 or rank_halves or random_problems or true_ranks_equal" > "$OUT/tests-v/gpu-r128.txt" 2>&1
 echo "tests: $(tail -1 "$OUT/tests-v/gpu-r128.txt")"
 timeout 60 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
   test_gpu_kernels.py test_gpu_one_launch.py -k "prefill and r128 and (test_kernel or one_row)" \
   > "$OUT/tests-v/memcheck-r128.txt" 2>&1
 echo "memcheck rc=$?: $(grep -E 'passed|failed' "$OUT/tests-v/memcheck-r128.txt" | tail -1)" \
   "$(tail -1 "$OUT/tests-v/memcheck-r128.txt")"
 timeout 45 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 \
   ../benchmarks/sanitize/racecheck_probe.py sgmv_prefill_bf16_r128_hany_w11m64n128u1_v8 1,1,3 \
   > "$OUT/tests-v/racecheck-r128.txt" 2>&1
 echo "racecheck rc=$?: $(grep -E 'matches|RACECHECK SUMMARY|Error' "$OUT/tests-v/racecheck-r128.txt" | tr '\n' ' ')")
bash benchmarks/ab_quick_builds.sh dist_u dist_v "$OUT/ab-stages" "" r128_prefill full
rm -rf /tmp/mid_A /tmp/mid_B
python3 -m pip install -q --no-deps --no-index --target /tmp/mid_A dist_m/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/mid_B dist_u/*.whl
cd /tmp
for run in A1 B1 B2 A2; do
  site=/tmp/mid_A; [ "${run:0:1}" = B ] && site=/tmp/mid_B
  PYTHONPATH=$site timeout 120 python3 "$repo/benchmarks/dispatch_sweep.py" "$OUT/mid/$run" bf16 RANK_SPLIT=1 \
    --ops=add_lora --ranks=128 --shapes=4096x4096,4096x14336 \
    --batches=24x32,32x32,24x64,3x512,6x256,1x2048,2x1024,12x192,48x32,48x64,16x256,12x384 \
    > "$OUT/mid/$run.log" 2>&1 || echo "mid run $run failed: $(tail -2 "$OUT/mid/$run.log")"
done
python3 - "$OUT/mid" <<'PY'
import json, pathlib, statistics, sys
d = pathlib.Path(sys.argv[1])
t = {r: json.loads((d / r / "RANK_SPLIT.json").read_text()) for r in ("A1", "B1", "B2", "A2")}
ratios = []
for case in t["A1"]:
    a = statistics.mean(t[r][case]["times_us"]["1"][0] for r in ("A1", "A2"))
    b = statistics.mean(t[r][case]["times_us"]["1"][0] for r in ("B1", "B2"))
    ratios.append(b / a)
    print(f"{case:44s} two r64 launches {a:7.1f} us  r128 tile {b:7.1f} us  B/A {b / a:.3f}")
print(f"median B/A {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}) over {len(ratios)} cases")
PY
