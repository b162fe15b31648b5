#!/bin/bash
# NOTES entry 276: where rank 64's grid-handoff tiles spend their instructions and stalls now (after entry 262's split
# v), on the quick sweep's worst cases: h8192 identical bs256 (the 8-warp 32-row tile) and uniform bs256 (16 segments
# of 16 rows: the 4-warp 16-row `_tb` twin). One launch each outside a graph: ncu --set full with SASS source counters.
# Usage (device): bash benchmarks/results/2026-12-04-r64-ncu/ncu_source.sh dist_275
set -u
repo=$PWD
python3 benchmarks/wheel_xz.py unpack "${1}x" "$1" > /dev/null || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd /tmp
for c in identical256_r64_h8192 uniform256_r64_h8192; do
  timeout 150 ncu --clock-control none -k regex:sgmv_fused -c 1 --set full --import-source no \
    -f -o "/tmp/$c" python3 "$repo/benchmarks/profile_cases.py" "$c" > "/tmp/ncu-log-$c.txt" 2>&1
  echo "$c report rc=$?"
  ncu -i "/tmp/$c.ncu-rep" --page details > "/tmp/details-$c.txt" 2>&1
  ncu -i "/tmp/$c.ncu-rep" --page raw --csv > "/tmp/raw-$c.csv" 2>&1
  ncu -i "/tmp/$c.ncu-rep" --page source --csv --print-source sass > "/tmp/source-$c.csv" 2>&1
  echo "source rc=$? $(wc -l < /tmp/source-$c.csv) lines"
done
tar czf "$OUT/ncu-source.tgz" -C /tmp details-identical256_r64_h8192.txt details-uniform256_r64_h8192.txt \
  raw-identical256_r64_h8192.csv raw-uniform256_r64_h8192.csv \
  source-identical256_r64_h8192.csv source-uniform256_r64_h8192.csv ncu-log-identical256_r64_h8192.txt \
  ncu-log-uniform256_r64_h8192.txt
ls -la "$OUT"
