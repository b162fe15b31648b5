set -o pipefail
python3 -m pip install -q --no-deps --no-index --target /tmp/sW dist_pW/*.whl
(cd benchmarks/stream && nvcc -O3 -arch=sm_90 -o /tmp/stream_probe stream_probe.cu && /tmp/stream_probe 16384 8192 && /tmp/stream_probe 8192 28672) 2>&1 | tee $OUT/stream-probe.txt
(export PYTHONPATH=/tmp/sW; cd tests && timeout 120 python3 -m pytest -q --tb=line test_gpu_kernels.py -k "prefill and m64n256" 2>&1 | grep -v "^  " | tail -15) > $OUT/tests-m64n256.txt
cat $OUT/tests-m64n256.txt | tail -3
(export PYTHONPATH=/tmp/sW; for f in r16_prefill r64_prefill r32_prefill; do
timeout 150 python3 benchmarks/dispatch_sweep.py $OUT/ds_$f bf16 PREFILL_LONG_CHUNK=128,256 --cases=$f --full --ops=add_lora --repeat=2 2>&1 | tail -10 | tee -a $OUT/sweep.txt
done)
