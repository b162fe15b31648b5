# NOTES entry 158 (prediction before measuring), on dist_s157 (a wheel of main with entries 156-157's rules):
#   run(command="bash benchmarks/results/2026-12-02-warp-columns/call.sh", carry=["dist_s157"])   (~8 min)
# FUSED_MAX_WARP_COLUMNS=1e9,256,0: today's cluster sum (no limit), the rule (past 256 columns a warp, the 4-warp tile
# leaves the cluster sum to the 8-warp one or the grid handoff), none (0: the handoff runs every batch), over the full
# sweep's h_in 14336 cluster-sum batches (both dtypes) and batches of the tool's own at h_in 10240-16384 (bf16);
# then the whole GPU suite on the wheel.
set -o pipefail
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new dist_s157/*.whl || exit 1
export PYTHONPATH=/tmp/new
sweep() {  # name dtype args...
  local name=$1 dt=$2; shift 2
  timeout 150 python3 benchmarks/dispatch_sweep.py "$OUT/$name-$dt" $dt FUSED_MAX_WARP_COLUMNS=1000000000,256,0 \
    --ops=add_lora --repeat=2 "$@" > "$OUT/$name-$dt.log" 2>&1
  echo "$name $dt rc=$?"; mv "$OUT/$name-$dt/FUSED_MAX_WARP_COLUMNS.txt" "$OUT/$name-$dt.txt"
  mv "$OUT/$name-$dt/FUSED_MAX_WARP_COLUMNS.json" "$OUT/$name-$dt.json"; rm -rf "$OUT/$name-$dt"
}
sweep full bf16 --full --cases=h14336to4096_r8_,h14336to4096_r16_
sweep full fp16 --full --cases=h14336to4096_r8_,h14336to4096_r16_
sweep new bf16 --batches=1x1,1x16,4x4,5x3,1x64,8x8 --shapes=10240x4096,11008x4096,12288x4096,13824x4096,16384x4096 \
  --ranks=8,16
(cd "$OUT" && tar czf sweeps.tgz full-* new-* && rm -f full-* new-*)  # (few files come back: one archive)
(cd tests && timeout 420 python3 -m pytest -q -p no:cacheprovider . > "$OUT/gpu-suite.txt" 2>&1)
tail -1 "$OUT/gpu-suite.txt"
