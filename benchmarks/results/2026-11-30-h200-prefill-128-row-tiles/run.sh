set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_full/*.whl
python3 -m pip install -q --no-deps --no-index --target /tmp/sT dist_pT/*.whl
nvidia-smi --query-gpu=name,clocks.sm,temperature.gpu --format=csv > $OUT/gpu.txt
(export PYTHONPATH=/tmp/sT; cd tests && timeout 120 python3 -m pytest -q --tb=line test_gpu_kernels.py -k "prefill and m128" 2>&1 | grep -v "^  " | tail -15) > $OUT/tests-m128.txt
(export PYTHONPATH=/tmp/sT; for f in r16_prefill r64_prefill r32_prefill; do
timeout 150 python3 benchmarks/dispatch_sweep.py $OUT/ds_$f bf16 PREFILL_LONG_MAX_ROWS=64,128 --cases=$f --full --ops=add_lora --repeat=2 2>&1 | tail -10 | tee -a $OUT/sweep.txt
done)
(export PYTHONPATH=/tmp/sF; cd tests && timeout 280 python3 -m pytest -q --tb=line . 2>&1 | grep -v "^  " | tail -15) > $OUT/gpu-suite.txt
cat $OUT/tests-m128.txt; tail -3 $OUT/gpu-suite.txt
