#!/usr/bin/env bash
# A run of record on the GPU machine (benchmarks/NOTES.md, entries 107-113), from the repository root, on a default
# wheel built on the CPU machine (`pip wheel -q --no-deps -w dist_rec .`) and carried there:
#   run(command="bash benchmarks/run_of_record.sh dist_rec suite sanitize", carry=["dist_rec"]), then the same
#   with `quick full` (entry 116: 522 s and 126 s; the four steps may pass the 600 s a device call may run)
# The steps, in the order given:
#   suite     the whole GPU suite (tests/) -> $OUT/gpu-suite.txt
#   sanitize  compute-sanitizer memcheck over every prefill kernel's per-kernel test (one process), then racecheck
#             over the bf16 prefill kernels on test_prefill_shapes' small cases, one process a test (in one process
#             for them all, the 16-row tile's test after another outlasted minutes) -> $OUT/memcheck.txt,
#             racecheck.txt; a timeout says so
#   quick     `python -m sgmv bench --quick --dtype bf16,fp16` (baselines, serving pairs) -> $OUT/quick.tgz
#   full      `python -m sgmv bench --dtype D --no-pairs` for bf16 and fp16 -> $OUT/full.tgz
# The bench runs from a directory outside the checkout, so it times the installed wheel, not python/. Also writes
# $OUT/gpu.txt and versions.txt. The folders under results/ keep the script each record ran.
set -o pipefail
wheel_dir=$1; shift
repo=$PWD
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c "import sys, torch, cuda.bindings as cb; print(sys.version.split()[0], torch.__version__, cb.__version__)" \
  | tee "$OUT/versions.txt"
# Racecheck instruments only the prefill kernels (kns=sgmv_prefill), as entry 46's runs did, not all 378.
racecheck_each() {  # seconds a test, test file, -k expression: a line a test (its outcome, racecheck's summary)
  local t
  while read -r t; do
    (cd "$repo/tests" && timeout "$1" compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 -m \
       pytest -q -p no:cacheprovider "${t#tests/}" 2>&1 | grep -E 'passed|failed|RACECHECK SUMMARY' | tr '\n' ' '
     echo "rc=$? $t")
  done < <(cd "$repo/tests" && python3 -m pytest -q --co -p no:cacheprovider "$2" -k "$3" | grep '::')
}
for step in "$@"; do
  case $step in
    suite)
      (cd "$repo/tests" && timeout 300 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > "$OUT/gpu-suite.txt")
      tail -1 "$OUT/gpu-suite.txt" ;;
    sanitize)
      (cd "$repo/tests" && timeout 90 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
        -p no:cacheprovider test_gpu_kernels.py -k "test_kernel and prefill" > "$OUT/memcheck.txt" 2>&1
       [ $? = 124 ] && echo "TIMED OUT after 90 s" >> "$OUT/memcheck.txt")
      echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")"
      racecheck_each 30 test_gpu_one_launch.py \
        "test_prefill_shapes and bf16 and ((16x8 and negative) or (272x136 and one_row))" > "$OUT/racecheck.txt"
      echo "racecheck: $(grep -c '1 passed.*0 hazards' "$OUT/racecheck.txt") of $(wc -l < "$OUT/racecheck.txt") tests" \
        "passed with 0 hazards" ;;
    quick)
      (cd /tmp && rm -rf quick && timeout 100 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick \
        > /tmp/quick.log 2>&1; echo "quick rc=$? $(tail -1 /tmp/quick.log)"
       mkdir -p quick; cp /tmp/quick.log quick/bench.log; cp "$OUT/gpu.txt" quick/gpu.txt
       tar czf "$OUT/quick.tgz" quick) ;;
    full)
      (cd /tmp && for d in bf16 fp16; do
         rm -rf full-$d
         timeout 110 python3 -m sgmv bench --dtype $d --no-pairs --out /tmp/full-$d > /tmp/full-$d.log 2>&1
         echo "full $d rc=$? $(tail -1 /tmp/full-$d.log)"
         mkdir -p full-$d; cp /tmp/full-$d.log full-$d/bench.log; cp "$OUT/gpu.txt" full-$d/gpu.txt
       done; tar czf "$OUT/full.tgz" full-bf16 full-fp16) ;;
    *) echo "unknown step: $step (suite, sanitize, quick, full)"; exit 2 ;;
  esac
done
