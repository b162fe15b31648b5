# Prepared for the next session (NOTES entry 174), not run: the runs of record on main after entry 174, and whether
# the swap fix also ended entry 118's racecheck runs that never ended. Build on the CPU machine from the repository
# root: `pip wheel -q --no-deps -w dist_rec .` (~3.5 min), then two calls:
#   run(command="bash benchmarks/results/2026-12-02-swap-wait-fix/next_calls.sh sanitize", carry=["dist_rec"])
#   run(command="bash benchmarks/results/2026-12-02-swap-wait-fix/next_calls.sh record", carry=["dist_rec"])
# sanitize (~400 s): run_of_record.sh's sanitize step, then racecheck over the r16 16-row tile's 700-row test
#   (entry 118: not ended in 200 s) -> $OUT/racecheck-700.txt
# record (~250 s): the quick and full sweeps (run_of_record.sh quick full)
set -o pipefail
case $1 in
  sanitize)
    bash benchmarks/run_of_record.sh dist_rec sanitize
    (cd tests && PYTHONPATH=/tmp/rec timeout 200 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill \
       python3 -m pytest -q -p no:cacheprovider \
       "test_gpu_one_launch.py::test_prefill_shapes[sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8-16x8-negative]" \
       > "$OUT/racecheck-700.txt" 2>&1)
    echo "racecheck 700 rows: rc=$? $(grep -E 'passed|failed|RACECHECK SUMMARY' "$OUT/racecheck-700.txt" | tr '\n' ' ')" ;;
  record)
    bash benchmarks/run_of_record.sh dist_rec quick full ;;
  *) echo "usage: next_calls.sh sanitize|record" >&2; exit 2 ;;
esac
