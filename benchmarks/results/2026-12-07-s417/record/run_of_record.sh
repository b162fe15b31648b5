#!/usr/bin/env bash
# A run of record on the GPU machine (benchmarks/NOTES.md, entries 107-113), from the repository root, on a default
# wheel built on the CPU machine (`pip wheel -q --no-deps -w dist_rec .`) and carried there:
#   run(command="bash benchmarks/run_of_record.sh dist_rec suite", carry=["dist_rec"]), then the same with
#   `sanitize`, then with `quick full` (entry 134: suite 328 s, and suite + sanitize passed the 600 s a call may run)
# The steps, in the order given:
#   suite     the whole GPU suite (tests/; 384 s with entry 136's kernels, 480 s with entry 251's, against a cut at
#             560 s) -> $OUT/gpu-suite.txt, failures in full; where it no longer fits one call, the same in two:
#             suite-one-launch (test_gpu_one_launch.py, 4658 of its 8920 tests: 158 s) -> gpu-suite-one-launch.txt, and
#             suite-rest (every other file but test_gpu_one_launch_padded.py: 351 s) -> gpu-suite-rest.txt, and
#             suite-padded (test_gpu_one_launch_padded.py, split from the first in entry 340) -> gpu-suite-padded.txt;
#             suite-rest-but-prefill: suite-rest without test_gpu_prefill.py (where sass_compare.sh finds every prefill
#             kernel unchanged);
#             suite-routed: every GPU test whose launches go through dispatch, none of the per-kernel ones (1,781 of
#             15,655), for a change of python/ alone, where sass_compare.sh finds every kernel unchanged
#             -> gpu-suite-routed.txt
#   sanitize  compute-sanitizer memcheck over every prefill kernel's per-kernel test (one process), then racecheck
#             over the bf16 prefill kernels on small launches, one process each, up to 3 tries of 30 s: under
#             racecheck the 16-row tile's launches now and then never end (entry 118: the same launch ends in 5 s
#             on 3 tries of 4; its 700-row test never did in 200 s), so it runs one_row and racecheck_probe.py's
#             three tiles -> $OUT/memcheck.txt, racecheck.txt (a line a run; rc=124: cut on every try)
#   sanitize-fused  memcheck over the fused kernels' tests of every layout at 1032x1000 (one-row, empty and -1
#             segments, skewed, four row tiles), their two-tile and shared-workspace tests (one process), then racecheck
#             over each bf16 fused kernel but the _flat and _tb twins (the same staging code) on its two-tile,
#             grid-handoff and clustered tests, one process a kernel; the ranks in $FUSED_RANKS (a pytest -k
#             expression, default every rank) -> $OUT/memcheck-fused.txt, racecheck-fused.txt (entries 264 and 268)
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
racecheck_each() {  # seconds a try, tries; stdin: a command a line, run in tests/ -> a line each: its outcome,
  local cmd out rc try  # racecheck's summary, the exit status (124: cut at the seconds on every try) and the try
  local -; set -f  # the pytest ids' brackets stay as they are
  while read -r cmd; do
    for ((try = 1; try <= $2; ++try)); do
      out=$(cd "$repo/tests" &&
            timeout "$1" compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill $cmd 2>&1)
      rc=$?
      [ $rc != 124 ] && break
    done
    echo "$(grep -E 'passed|failed|matches|Error|RACECHECK SUMMARY' <<<"$out" | tr '\n' ' ')rc=$rc" \
      "try $((try > $2 ? $2 : try)): $cmd"
  done
}
racecheck_cases() {  # the commands racecheck_each runs: every bf16 prefill kernel on small launches
  local pytest="python3 -m pytest -q -p no:cacheprovider" probe="python3 ../benchmarks/sanitize/racecheck_probe.py" k
  (cd "$repo/tests" && $pytest --co test_gpu_prefill.py \
     -k "test_prefill_shapes and bf16 and ((16x8 and negative and not m16n) or (272x136 and one_row))" |
   grep '::' | sed "s|^tests/||; s|^|$pytest |")
  for k in $(cd "$repo/tests" && python3 -c "from gpu_checks import KERNELS
print(*(k.name for k in KERNELS if k.op == 'prefill' and k.dtype == 'bf16' and k.warp_rows == 16))"); do
    echo "$probe $k 1,1,3"  # three tiles, one of several rows
  done
}
# The per-kernel tests (one kernel of the manifest a test, called directly), which suite-routed leaves out
PER_KERNEL_TESTS_OUT=$(printf 'not %s and ' test_fused_shapes test_fused_kernel_with_the_grid_handoff test_gemv_shapes \
  test_fused_handoff_blocks_of_two_column_tiles test_kernel test_pipelined_expand test_prefill_shapes \
  test_prefill_blocks_walk test_prefill_cluster_swaps test_packed_launch_of_each_kernel test_shrink_half \
  test_expand_half test_halves_walk)
PER_KERNEL_TESTS_OUT=${PER_KERNEL_TESTS_OUT% and }
run_suite() {  # output name, then pytest's arguments (run in tests/): -> $OUT/NAME.txt and its summary line; in it
  # each skip's reason and the 40 slowest tests' times (the whole suite: ~500 s of a session's 1,800 s of device time
  # in entry 357, ~850 s in entry 335)
  local name=$1; shift
  (cd "$repo/tests" && timeout 560 python3 -m pytest -q -rs -p no:cacheprovider --durations=40 "$@" > "$OUT/$name.txt" 2>&1)
  tail -1 "$OUT/$name.txt"
}
for step in "$@"; do
  case $step in
    suite) run_suite gpu-suite . ;;
    suite-one-launch) run_suite gpu-suite-one-launch test_gpu_one_launch.py ;;
    suite-rest) run_suite gpu-suite-rest . --ignore=test_gpu_one_launch.py --ignore=test_gpu_one_launch_padded.py ;;
    suite-padded) run_suite gpu-suite-padded test_gpu_one_launch_padded.py ;;
    suite-routed) run_suite gpu-suite-routed $(cd "$repo/tests" && echo test_gpu_*.py) -k "$PER_KERNEL_TESTS_OUT" ;;
    suite-rest-but-prefill) run_suite gpu-suite-rest-but-prefill . --ignore=test_gpu_one_launch.py \
                              --ignore=test_gpu_one_launch_padded.py --ignore=test_gpu_prefill.py ;;
    sanitize)
      (cd "$repo/tests" && timeout 90 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
        -p no:cacheprovider test_gpu_kernels.py -k "test_kernel and prefill" > "$OUT/memcheck.txt" 2>&1
       [ $? = 124 ] && echo "TIMED OUT after 90 s" >> "$OUT/memcheck.txt")
      echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck.txt" | tail -1) $(tail -1 "$OUT/memcheck.txt")"
      racecheck_cases | racecheck_each 30 3 > "$OUT/racecheck.txt"
      echo "racecheck: $(grep -cE '(1 passed|matches).*0 hazards' "$OUT/racecheck.txt") of" \
        "$(wc -l < "$OUT/racecheck.txt") runs passed with 0 hazards" ;;
    sanitize-fused)
      ranks=${FUSED_RANKS:-_r8_ or _r16_ or _r32_ or _r64_ or _r128_}
      (cd "$repo/tests" && timeout 300 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q \
        -p no:cacheprovider test_gpu_one_launch.py \
        -k "fused and ($ranks) and (1032x1000 or two_column or share_the_workspace)" > "$OUT/memcheck-fused.txt" 2>&1
       [ $? = 124 ] && echo "TIMED OUT after 300 s" >> "$OUT/memcheck-fused.txt")
      echo "memcheck: $(grep -E 'passed|failed' "$OUT/memcheck-fused.txt" | tail -1) $(tail -1 "$OUT/memcheck-fused.txt")"
      for k in $(cd "$repo/tests" && python3 -c "from gpu_checks import KERNELS
print(*(k.name for k in KERNELS if k.op == 'fused' and k.dtype == 'bf16' and not k.flat_tiles and not k.tile_barrier))"
                 ); do
        [[ " $ranks " =~ _r$(sed 's/.*_r\([0-9]*\)_.*/\1/' <<<"$k")_ ]] || continue
        out=$(cd "$repo/tests" && timeout 30 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_fused python3 \
              -m pytest -q -p no:cacheprovider test_gpu_one_launch.py -k "$k and not _flat and not _tb and \
              (two_column or (grid_handoff and 1032x1000-mixed) or (fused_shapes and 1032x1000-uniform))" 2>&1)
        rc=$?
        echo "$(grep -E 'passed|failed|RACECHECK SUMMARY' <<<"$out" | tr '\n' ' ')rc=$rc $k"
      done > "$OUT/racecheck-fused.txt"
      echo "racecheck: $(grep -c 'passed.*0 hazards' "$OUT/racecheck-fused.txt") of" \
        "$(wc -l < "$OUT/racecheck-fused.txt") kernels passed with 0 hazards" ;;
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
    *) echo "unknown step: $step (suite, suite-one-launch, suite-rest, suite-padded, suite-rest-but-prefill," \
            "suite-routed, sanitize, sanitize-fused, quick, full)"; exit 2 ;;
  esac
done
