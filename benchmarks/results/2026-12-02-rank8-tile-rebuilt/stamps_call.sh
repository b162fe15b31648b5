# Prepared for the next session (NOTES entry 173), not run: where rank 8's 16-row prefill tile waits when its launch
# never ends, and whether its producer warps' early exit (with copies and their barrier arrivals still in flight) is
# why. Build three wheels on the CPU machine first (~1 min each: the wait stamps, rank 8's 16-row tiles and rank
# 16's fp16 one), from the repository root (v3, v4: a copy of the tree with probe/v3.patch or probe/v4.patch applied):
#   export SGMV_NVCC_FLAGS=-DSGMV_PROBE_WAITS SGMV_EXTRA_TILES=1 \
#     SGMV_KERNELS="sgmv_prefill_*_r8_hany_w11m16n256u1_v8,sgmv_prefill_fp16_r16_hany_w11m16n256u1_v8"
#   pip wheel -q --no-deps -w dist_stamps .
#   for v in v3 v4; do rm -rf /tmp/$v && mkdir /tmp/$v && git archive HEAD | tar -x -C /tmp/$v &&
#     (cd /tmp/$v && patch -p1 < $OLDPWD/benchmarks/results/2026-12-02-rank8-tile-rebuilt/probe/$v.patch &&
#      pip wheel -q --no-deps -w $OLDPWD/dist_$v .); done
#   run(command="bash benchmarks/results/2026-12-02-rank8-tile-rebuilt/stamps_call.sh",
#       carry=["dist_stamps", "dist_v3", "dist_v4"])
# v3: cp.async.wait_all before a producer warp exits; v4: it waits, as CUTLASS's producer_tail, until the consumers
# have released every stage. wait_stamps.py on each build's rank-8 tiles until a launch hangs (then the waits of every
# unfinished block's warps), and on the stamps build's rank-16 tile for comparison; one process each under timeout.
set -o pipefail
run_stamps() {  # wheel dir, kernel, seconds
  rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || return 1
  (cd tests && PYTHONPATH=/tmp/rec timeout $(($3 + 25)) python3 ../benchmarks/sanitize/wait_stamps.py $2 $3 \
     > "$OUT/stamps-$1-$2.txt" 2>&1)
  echo "rc=$? $1 $2: $(head -1 "$OUT/stamps-$1-$2.txt")"
}
for w in dist_stamps dist_v3 dist_v4; do
  for k in sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8 sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8; do
    run_stamps $w $k 40
  done
done
run_stamps dist_stamps sgmv_prefill_fp16_r16_hany_w11m16n256u1_v8 40
