set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sS dist_pS/*.whl
export PYTHONPATH=/tmp/sS
(cd tests && timeout 200 python3 -m pytest -q --tb=line test_gpu_kernels.py -k prefill 2>&1 | grep -v "^  " | tail -60) > $OUT/tests.txt
for f in r16_distinct_bs64 r16_distinct_bs256 r32_distinct_bs256 r64_distinct_bs256 r32_distinct_bs64 r64_distinct_bs64; do
timeout 150 python3 benchmarks/dispatch_sweep.py $OUT/ds_$f bf16 PREFILL_SHORT_ROWS=16,8,4,2 --cases=$f --full --ops=add_lora --repeat=2 2>&1 | tail -6 | tee -a $OUT/sweep.txt
done
