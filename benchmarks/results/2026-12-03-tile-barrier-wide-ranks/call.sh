#!/bin/bash
# NOTES entry 259: (1) the barrier per row tile from 5 row tiles at ranks 32 and 64 too
# (HANDOFF_TILE_BARRIER_WIDE_RANK 128 = head, 64, 32) on the 22 full-sweep cases a dtype that 32 moves
# (moved-cases.txt; 64 moves the 11 rank-64 ones), both dtypes, medians of 3 interleaved; (2) ncu of rank 128's
# worst case (h8192 identical bs256, the 32-row `_tb` kernel) beside rank 64's, one launch each (profile_cases.py).
# Usage (device): bash benchmarks/results/2026-12-03-tile-barrier-wide-ranks/call.sh dist_258
set -u
wheel_dir=$1
here=$PWD/benchmarks/results/2026-12-03-tile-barrier-wide-ranks
repo=$PWD
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cases=$(paste -sd, $here/moved-cases.txt)
for dt in bf16 fp16; do
  python3 benchmarks/dispatch_sweep.py "$OUT/w-$dt" $dt HANDOFF_TILE_BARRIER_WIDE_RANK=128,64,32 --full \
    --ops=add_lora --repeat=3 "--cases=$cases" > "$OUT/wide-$dt.log" 2>&1
  cp "$OUT/w-$dt/HANDOFF_TILE_BARRIER_WIDE_RANK.txt" "$OUT/wide-$dt.txt"
  cp "$OUT/w-$dt/HANDOFF_TILE_BARRIER_WIDE_RANK.json" "$OUT/wide-$dt.json"
  rm -rf "$OUT/w-$dt"
done
cat "$OUT"/wide-*.txt
cd /tmp
for c in identical256_r128_h8192 identical256_r64_h8192; do
  timeout 150 ncu --clock-control none -k regex:sgmv_fused -c 1 --set full --import-source no \
    -f -o "/tmp/$c" python3 "$repo/benchmarks/profile_cases.py" "$c" > "/tmp/ncu-log-$c.txt" 2>&1
  echo "$c report rc=$?"
  ncu -i "/tmp/$c.ncu-rep" --page details > "/tmp/ncu-details-$c.txt" 2>&1
done
tar czf "$OUT/ncu.tgz" -C /tmp ncu-details-identical256_r128_h8192.txt ncu-details-identical256_r64_h8192.txt \
  ncu-log-identical256_r128_h8192.txt ncu-log-identical256_r64_h8192.txt
ls "$OUT"
