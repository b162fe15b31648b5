#!/bin/bash
# Entry 381 (device), call 4: where rank 128's fused kernel stalls with warm instruction caches. ncu (--set full) on
# the final tree's default build (dist_17): identical256_r128_h8192 and identical256_r64_h8192 (profile_cases.py),
# each case launched 6 times in one process, the 6th profiled with --cache-control none (caches as the previous
# launches left them, as in the bench's graph replays), and r128 once more with ncu's default flush (all caches
# invalidated before the launch: entry 258's condition) -> $OUT/ncu-381.tgz (details, source pages, logs).
# Usage (device): bash benchmarks/results/2026-12-06-s379-record/call4.sh dist_xz_17 dist_17
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
python3 benchmarks/wheel_xz.py unpack "$1" "$2" > /dev/null || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$2"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd /tmp
files=()
profile() {  # name, cache control, case
  local c=$3
  timeout 170 ncu --clock-control none --cache-control "$2" -k regex:sgmv_fused -s 5 -c 1 --set full \
    --import-source no -f -o "/tmp/$1" python3 "$repo/benchmarks/profile_cases.py" $c $c $c $c $c $c \
    > "/tmp/ncu-log-$1.txt" 2>&1
  echo "$1 report rc=$?"
  ncu -i "/tmp/$1.ncu-rep" --page details > "/tmp/details-$1.txt" 2>&1
  ncu -i "/tmp/$1.ncu-rep" --page source --csv --print-source sass > "/tmp/source-$1.csv" 2>&1
  echo "$1 source rc=$? $(wc -l < "/tmp/source-$1.csv") lines"
  grep -E "Duration|Warp Cycles Per Issued|Issue Slots Busy" "/tmp/details-$1.txt"
  files+=("details-$1.txt" "source-$1.csv" "ncu-log-$1.txt")
}
profile r128-warm none identical256_r128_h8192
profile r64-warm none identical256_r64_h8192
profile r128-flushed all identical256_r128_h8192
tar czf "$OUT/ncu-381.tgz" -C /tmp "${files[@]}"
