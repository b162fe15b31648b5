#!/usr/bin/env bash
# NOTES entry 217: ncu of the quick sweep's worst cases on head's kernels (after entry 212), for the next step:
# the rank-64 32-row tile in rank halves at u4 (h8192 identical bs256) with its source counters (where its warps stall,
# by SASS line; entry 130's run of the u2 tile is ../2026-12-01-ncu-tall/), and the 16-row 256-column tile on h4096
# identical bs256 and h8192 distinct bs16 (details pages). From the repository root on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-ncu-r64-halves/ncu.sh", carry=["dist_fin3"])
set -o pipefail
repo=$PWD
rm -rf /tmp/ncu_h && python3 -m pip install -q --no-deps --no-index --target /tmp/ncu_h dist_fin3/*.whl || exit 1
cd /tmp
for c in identical256_r64_h8192 identical256_r64 distinct16_r64_h8192; do
  PYTHONPATH=/tmp/ncu_h timeout 120 ncu --clock-control none -k regex:sgmv_fused -c 1 --set full --import-source no \
    -f -o "$OUT/$c" python3 "$repo/benchmarks/profile_cases.py" "$c" > "$OUT/ncu-log-$c.txt" 2>&1
  echo "$c report rc=$?"
  ncu -i "$OUT/$c.ncu-rep" --page details > "$OUT/ncu-details-$c.txt" 2>&1
done
ncu -i "$OUT/identical256_r64_h8192.ncu-rep" --page source --csv --print-source sass \
  > "$OUT/ncu-source-identical256_r64_h8192.csv" 2>&1
echo "source rc=$? $(wc -l < "$OUT/ncu-source-identical256_r64_h8192.csv") lines"
gzip "$OUT/ncu-source-identical256_r64_h8192.csv"
rm -f "$OUT"/*.ncu-rep
