#!/bin/bash
# NOTES entry 261: where rank 128's 32-row tile spends its instructions and stalls (h8192 identical bs256, one launch
# outside a graph): ncu --set full with SASS source counters, the raw stall metrics of both ranks' kernels.
# Usage (device): bash benchmarks/results/2026-12-03-tile-barrier-wide-ranks/ncu_source.sh dist_258
set -u
repo=$PWD
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$1"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd /tmp
for c in identical256_r128_h8192 identical256_r64_h8192; do
  timeout 150 ncu --clock-control none -k regex:sgmv_fused -c 1 --set full --import-source no \
    -f -o "/tmp/$c" python3 "$repo/benchmarks/profile_cases.py" "$c" > "/tmp/ncu-log-$c.txt" 2>&1
  echo "$c report rc=$?"
  ncu -i "/tmp/$c.ncu-rep" --page raw --csv > "/tmp/raw-$c.csv" 2>&1
  ncu -i "/tmp/$c.ncu-rep" --page source --csv --print-source sass > "/tmp/source-$c.csv" 2>&1
  echo "source rc=$? $(wc -l < /tmp/source-$c.csv) lines"
done
tar czf "$OUT/ncu-source.tgz" -C /tmp raw-identical256_r128_h8192.csv raw-identical256_r64_h8192.csv \
  source-identical256_r128_h8192.csv source-identical256_r64_h8192.csv
ls -la "$OUT"
