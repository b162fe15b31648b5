#!/bin/bash
# Entry 292 (device): the gemv tests of test_gpu_one_launch.py on the new wheel ($2), then dispatch_sweep on the old
# wheel ($1, with this tree's one_launch.py) and the new one: GEMV_BIG_BLOCK_MAX_ROUNDS and
# GEMV_OVER_PREFILL_MAX_ROUNDS both 1 (today's rule) and both 3 (gemv wherever it expands in at most 3 rounds), on
# one-row r16 batches at 6 shapes, medians of 2, bf16 and fp16.
# Usage (device): bash benchmarks/results/2026-12-04-gemv-staged/call.sh dist_287 dist_292
set -u
install() {  # wheel dir, target
  rm -rf "$2" && python3 -m pip install -q --no-deps --no-index --target "$2" "$1"/*.whl || exit 1
  cp python/sgmv/one_launch.py "$2"/sgmv/one_launch.py
}
install "$1" /tmp/old; install "$2" /tmp/new
(cd tests && PYTHONPATH=/tmp/new timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
  -k "gemv or one_row" 2>&1 | tail -3) | tee "$OUT/tests.txt"
for side in old new; do
  for dt in bf16 fp16; do
    PYTHONPATH=/tmp/$side timeout 120 python3 benchmarks/dispatch_sweep.py "$OUT/$side-$dt" $dt \
      GEMV_BIG_BLOCK_MAX_ROUNDS=1,3 --with=GEMV_OVER_PREFILL_MAX_ROUNDS=1,3 \
      --batches=8x1,17x1,20x1,32x1,40x1,64x1 --ranks=16 --repeat=2 --ops=add_lora \
      --shapes=8192x8192,5120x5120,4096x8192,4096x14336,3584x18944,4096x4096 > "$OUT/$side-$dt.txt" 2>&1
    echo "== $side $dt"; tail -37 "$OUT/$side-$dt.txt" | awk '{print $2, $3, $4, $5}'
  done
done
