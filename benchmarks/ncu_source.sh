#!/bin/bash
# Where a one-launch kernel spends its instructions and stalls (NOTES entries 261 and 276), on the GPU machine from the
# repository root, on a default wheel carried there packed (wheel_xz.py):
#   bash benchmarks/ncu_source.sh dist_X CASE [CASE ...]     # CASE: a name of profile_cases.py's CASES
# For each case, one add_lora launch outside a graph under `ncu --set full` (the fused kernels: -k regex:sgmv_fused),
# then its details page, raw metrics and SASS source page (executed instructions and stall samples a line) ->
# $OUT/ncu-source.tgz (details-CASE.txt, raw-CASE.csv, source-CASE.csv, ncu-log-CASE.txt).
set -u
[ $# -ge 2 ] || { sed -n 2,7p "$0"; exit 2; }
wheel_dir=$1; shift
repo=$PWD
python3 benchmarks/wheel_xz.py unpack "${wheel_dir}x" "$wheel_dir" > /dev/null || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "$wheel_dir"/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd /tmp
files=()
for c in "$@"; do
  timeout 150 ncu --clock-control none -k regex:sgmv_fused -c 1 --set full --import-source no \
    -f -o "/tmp/$c" python3 "$repo/benchmarks/profile_cases.py" "$c" > "/tmp/ncu-log-$c.txt" 2>&1
  echo "$c report rc=$?"
  ncu -i "/tmp/$c.ncu-rep" --page details > "/tmp/details-$c.txt" 2>&1
  ncu -i "/tmp/$c.ncu-rep" --page raw --csv > "/tmp/raw-$c.csv" 2>&1
  ncu -i "/tmp/$c.ncu-rep" --page source --csv --print-source sass > "/tmp/source-$c.csv" 2>&1
  echo "source rc=$? $(wc -l < "/tmp/source-$c.csv") lines"
  files+=("details-$c.txt" "raw-$c.csv" "source-$c.csv" "ncu-log-$c.txt")
done
tar czf "$OUT/ncu-source.tgz" -C /tmp "${files[@]}"
ls -la "$OUT"
