# Entry 46's final form (every reader lane arrives on the tile slot's empty barrier): racecheck of one small
# prefill launch (one block, 48 segments through the tile handoff), GPU suite, quick run of record bf16+fp16.
set -o pipefail
REPO=$PWD
rm -rf /tmp/site; python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_rec6/*.whl
export PYTHONPATH=/tmp/site
cd tests
for c in 1 2; do
  timeout 45 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill python3 $REPO/dist_run/race_small.py sgmv_prefill_bf16_r16_hany_w11m16n256 $c 2>&1 | grep -E "RACECHECK SUMMARY|ERROR SUMMARY|race_small|Race reported|rror" | head -5 >> $OUT/checks.txt
done
cat $OUT/checks.txt
timeout 170 python3 -m pytest -q . 2>&1 | tail -4 >> $OUT/checks.txt; tail -1 $OUT/checks.txt
cd /tmp && timeout 90 python3 -m sgmv bench --quick --dtype bf16,fp16 --out /tmp/quick > /tmp/bench.log 2>&1; tail -1 /tmp/bench.log
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > /tmp/quick/gpu.txt
cd /tmp && tar czf $OUT/quick.tgz quick
