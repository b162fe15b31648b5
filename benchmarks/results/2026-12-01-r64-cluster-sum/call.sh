# NOTES entry 132: the fused kernel's cluster sum at ranks 32-64 against the grid handoff, on the default wheel of
# entry 129 (dist_W), bf16, twice in turn: the quick sweep's r64 cases, then the full sweep's r32 and r64 ones. ~250 s:
#   run(command="bash benchmarks/results/2026-12-01-r64-cluster-sum/call.sh", carry=["dist_W"])
set -u
rm -rf /tmp/w && python3 -m pip install -q --no-deps --no-index --target /tmp/w dist_W/*.whl || exit 1
export PYTHONPATH=/tmp/w
here=benchmarks/results/2026-12-01-r64-cluster-sum
timeout 100 python3 $here/cluster_sweep.py /tmp/quick bf16 FUSED_MAX_RANK=16,64 --with=HANDOFF_MIN_RANK=32,128 \
  --cases=_r64_ --ops=add_lora --repeat=2 > "$OUT/quick-r64.txt" 2>&1
echo "quick rc=$?"
timeout 300 python3 $here/cluster_sweep.py /tmp/full bf16 FUSED_MAX_RANK=16,64 --with=HANDOFF_MIN_RANK=32,128 \
  --cases=_r32_,_r64_ --full --ops=add_lora --repeat=2 > "$OUT/full-r32-r64.txt" 2>&1
echo "full rc=$?"
