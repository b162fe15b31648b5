# Session 2026-11-30c: where r128's one-adapter batches spend their time (shrink and expand apart), against r64.
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_main/*.whl
export PYTHONPATH=/tmp/sF
cd /tmp
for c in r128_prefill r64_prefill r128_identical_bs256 r64_identical_bs256; do
  python3 -m sgmv bench --dtype bf16 --op shrink,expand,add_lora --cases $c --no-baselines --no-pairs --out /tmp/o-$c > /tmp/o-$c.log 2>&1
  grep -E "^(bfloat16|dtype)" /tmp/o-$c/table.txt | grep -v "^dtype" 
done | tee $OUT/r128-ops.txt
