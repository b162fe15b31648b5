# NOTES entry 176: what the r64 grid handoff's tail costs, from the repository root, on four bf16 builds of the r64
# fused kernels only (`SGMV_NVCC_FLAGS=F SGMV_KERNELS="sgmv_fused_bf16_r64_*" pip wheel -q --no-deps -w dist_pX .`):
# A plain, M -DSGMV_PROBE_EXPAND_NO_MMA, W -DSGMV_PROBE_NO_BARRIER_WAIT, E -DSGMV_PROBE_NO_EXPAND.
#   run(command="bash benchmarks/results/2026-12-02-expand-tail-probe/call.sh",
#       carry=["dist_pA", "dist_pM", "dist_pW", "dist_pE"])
# time_cases.py over the quick sweep's r64 cases that run on the fused kernel, builds in the order A M W E E W M A;
# each run's lines -> $OUT/times-RUN.txt.
repo=$PWD
here=benchmarks/results/2026-12-02-expand-tail-probe
cases="r64_identical,r64_uniform,r64_distinct_bs1_,r64_distinct_bs16_"
for b in A M W E; do
  rm -rf /tmp/p$b && python3 -m pip install -q --no-deps --no-index --target /tmp/p$b dist_p$b/*.whl || exit 1
done
for run in A1 M1 W1 E1 E2 W2 M2 A2; do
  (cd /tmp && PYTHONPATH=/tmp/p${run:0:1} timeout 60 python3 "$repo/$here/time_cases.py" "$cases" \
     > "$OUT/times-$run.txt" 2>&1; echo "$run rc=$?")
done
python3 "$here/summarize.py" "$OUT"
