#!/usr/bin/env bash
# NOTES entries 226-227 (predictions before measuring), from the repository root, on head's default wheel (dist_p128:
# head generates the same kernels) with this tree's dispatch.py over the wheel's (the change is in dispatch only):
#   run(command="bash benchmarks/results/2026-12-03-block-columns/call.sh dist_p128", carry=["dist_p128"])
# 226: FUSED_MAX_BLOCK_COLUMNS=2048,1024 (2048: the 8-warp tile's reach under the old per-warp limit, i.e. today on
#   every batch below; 1024: the rule) over the full sweep's 14336 -> 4096 r8/r16 batches (both dtypes) and batches
#   of the tool's own at h_in 9216-16384 that the 8-warp tile's cluster sum runs today (bf16).
# 227: PREFILL_FEW_ROWS_MAX_MEAN=31,16 (16: batches of 17-31 rows a segment leave the few-rows rule for the mid-size
#   one, which picks the 64-row or 16-row tile by prefill_bytes_per_sm) over batches of 17-31 rows (bf16).
set -o pipefail
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
cp "$repo/python/sgmv/dispatch.py" /tmp/new/sgmv/dispatch.py
export PYTHONPATH=/tmp/new
cd /tmp
sweep() {  # name dtype constant=values args...
  local name=$1 dt=$2 spec=$3; shift 3
  timeout 170 python3 "$repo/benchmarks/dispatch_sweep.py" "/tmp/sw/$name-$dt" $dt "$spec" --ops=add_lora \
    --repeat=2 "$@" > "/tmp/sw/$name-$dt.log" 2>&1
  echo "$name $dt rc=$?"; cp "/tmp/sw/$name-$dt/${spec%%=*}.txt" "$OUT/$name-$dt.txt"
}
rm -rf /tmp/sw && mkdir -p /tmp/sw
sweep full bf16 FUSED_MAX_BLOCK_COLUMNS=2048,1024 --full --cases=h14336to4096_r8_,h14336to4096_r16_
sweep full fp16 FUSED_MAX_BLOCK_COLUMNS=2048,1024 --full --cases=h14336to4096_r8_,h14336to4096_r16_
sweep tool bf16 FUSED_MAX_BLOCK_COLUMNS=2048,1024 --batches=2x8,4x4,5x3,8x4,3x16,2x32,1x64,8x8 \
  --shapes=9216x4096,11008x4096,12288x4096,13824x5120,16384x4096,12288x12288 --ranks=8,16
sweep few bf16 PREFILL_FEW_ROWS_MAX_MEAN=31,16 --batches=40x24,33x31,48x20,64x18,96x17,24x28,132x24,20x30 \
  --ranks=16,32,64
(cd /tmp/sw && tar czf "$OUT/sweeps.tgz" *.log */*.json 2>/dev/null)
