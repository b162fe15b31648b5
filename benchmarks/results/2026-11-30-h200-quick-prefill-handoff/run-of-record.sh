# Run of record after entry 45: GPU suite, racecheck on one small prefill launch (the tile handoff), quick sweep
# bf16+fp16 with baselines and pairs, full sweep bf16 add_lora.
set -o pipefail
rm -rf /tmp/site; python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_rec3/*.whl
export PYTHONPATH=/tmp/site
mkdir -p $OUT/r
(cd tests && timeout 250 python3 -m pytest -q . 2>&1 | tail -8) > $OUT/r/gpu-suite.txt; tail -2 $OUT/r/gpu-suite.txt
(cd tests && timeout 70 compute-sanitizer --tool racecheck --report-api-errors no python3 -m pytest -q -x test_gpu_kernels.py -k "test_prefill_shapes and bf16_r16_hany_w10m16n256 and 272x136 and (negative or one_row)" 2>&1 | grep -E "RACECHECK SUMMARY|ERROR SUMMARY|passed|failed" | head -3) > $OUT/r/racecheck.txt; cat $OUT/r/racecheck.txt
cd /tmp && timeout 150 python3 -m sgmv bench --quick --dtype bf16,fp16 --out $OUT/r/quick > /tmp/bench.log 2>&1; tail -2 /tmp/bench.log
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $OUT/r/quick/gpu.txt
cd /tmp && timeout 90 python3 -m sgmv bench --dtype bf16 --op add_lora --no-baselines --no-pairs --out $OUT/r/full > /tmp/full.log 2>&1; tail -1 /tmp/full.log
cd $OUT && tar czf rec.tgz r && rm -rf r
