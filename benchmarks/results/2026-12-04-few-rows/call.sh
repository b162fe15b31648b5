#!/bin/bash
# Entry 314 (device): batches of 2-8 rows a segment at ranks 8 and 16 under three dispatch settings, as
# GEMV_MAX_SEGMENT_ROWS/HANDOFF_AFTER_PADDED_PREFILL: 1/0 (today), 1/1 (rank 8's grid handoff where padded_prefill
# declines), 4/0 (the gemv kernel on segments of up to 4 rows, row by row); medians of 2, on the installed wheel's
# kernels with this tree's Python. Then the gemv and one-launch GPU tests on the same.
# Usage (device): bash benchmarks/results/2026-12-04-few-rows/call.sh dist_307 [dtype]
set -u
DT=${2:-bf16}
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
cp python/sgmv/*.py /tmp/rec/sgmv/ && cp python/sgmv/bench/*.py /tmp/rec/sgmv/bench/
export PYTHONPATH=/tmp/rec
SHAPES=4096x4096,8192x8192,4096x14336,14336x4096,3584x18944,2048x2048
timeout 280 python3 benchmarks/dispatch_sweep.py "$OUT/r8" $DT GEMV_MAX_SEGMENT_ROWS=1,1,4 \
  --with=HANDOFF_AFTER_PADDED_PREFILL=0,1,0 --ranks=8 --repeat=2 --ops=add_lora --shapes=$SHAPES \
  --batches=8x2,20x2,40x2,64x2,12x3,20x3,32x3,8x4,16x4,24x4,48x4,20x8,32x8 > "$OUT/r8-$DT.txt" 2>&1
grep -v "^\[" "$OUT/r8-$DT.txt" | tail -82 | cut -c1-110
timeout 200 python3 benchmarks/dispatch_sweep.py "$OUT/r16" $DT GEMV_MAX_SEGMENT_ROWS=1,4 --ranks=16 --repeat=2 \
  --ops=add_lora --shapes=$SHAPES --batches=8x2,20x2,40x2,64x2,12x3,20x3,32x3,8x4,16x4,24x4,48x4 \
  > "$OUT/r16-$DT.txt" 2>&1
grep -v "^\[" "$OUT/r16-$DT.txt" | tail -70 | cut -c1-110
