# NOTES entry 131: the grid handoff's dispatch constants re-checked on today's kernels (the default wheel of entry
# 129, dist_W), bf16 quick cases, each sweep's values twice in turn (dispatch_sweep --repeat=2). ~300 s:
#   run(command="bash benchmarks/results/2026-12-01-dispatch-recheck/call.sh", carry=["dist_W"])
set -u
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w dist_W/*.whl || exit 1
export PYTHONPATH=/tmp/w
sweep() {  # NAME=V1,V2 cases: the sweep's table -> $OUT/NAME.txt
  local name=${1%%=*}
  timeout 140 python3 benchmarks/dispatch_sweep.py "/tmp/sweep-$name" bf16 "$1" --cases="$2" --ops=add_lora \
    --repeat=2 > "$OUT/$name.txt" 2>&1
  echo "$name rc=$?"
}
sweep HANDOFF_MIN_RANK=32,16 _r16_                  # r16 batches that fit the cluster sum through the handoff
sweep FUSED_MAX_BLOCKS=64,128 _r16_                 # r16 batches of up to 128 cluster blocks keep the cluster sum
sweep HANDOFF_MAX_TILES_PER_BLOCK=2,1,3 _r64_,_r32_ # column tiles a block
sweep HANDOFF_BLOCKS_PER_SM=2,1,3 _r64_,_r32_       # blocks an SM (the driver's limit caps it)
