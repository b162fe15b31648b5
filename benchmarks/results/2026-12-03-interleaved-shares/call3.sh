#!/usr/bin/env bash
# NOTES.md entry 248, third call: PREFILL_TWO_BLOCK_TIES_LARGER=0,1 on the classes the rule moves that the sweeps do
# not time (S x R: S segments of R rows, each its own adapter, r16, the sweeps' four shapes; bf16, twice in turn),
# then the quick and full records, all on the default wheel of the tree with the rule. From the repository root:
#   run(command="bash benchmarks/results/2026-12-03-interleaved-shares/call3.sh dist_248f", carry=["dist_248f"])
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
(cd /tmp && PYTHONPATH=/tmp/new timeout 150 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/sp-untimed bf16 \
  PREFILL_TWO_BLOCK_TIES_LARGER=0,1 --ops=add_lora --repeat=2 --batches=200x1,528x1,264x3,240x16,132x20 --ranks=16 \
  > /tmp/untimed.log 2>&1; echo "untimed rc=$?"; tail -3 /tmp/untimed.log)
cp /tmp/sp-untimed/PREFILL_TWO_BLOCK_TIES_LARGER.txt "$OUT/untimed-bf16.txt" && cat "$OUT/untimed-bf16.txt"
bash benchmarks/run_of_record.sh "$1" quick full
