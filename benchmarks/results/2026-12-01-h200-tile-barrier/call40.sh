# Call 40 (entry 92): what costs h4096 r64 bs1 ~3% in the row-tile barrier (G4)? Fused-only builds of HEAD (ha), HEAD
# with the workspace header at 8224 floats (h1), HEAD with one more load of another line by thread 0 after the wait
# (h2), and G4 (h4); the quick sweep's rank-64 fused add_lora cases, bf16, in the order ha h1 h2 h4 h4 h2 h1 ha.
set -o pipefail
REPO=$PWD
rm -rf /tmp/s_* /tmp/hh
for v in ha h1 h2 h4; do python3 -m pip install -q --no-deps --no-index --target /tmp/s_$v dist_$v/*.whl; done
cd /tmp
for run in ha_1 h1_1 h2_1 h4_1 h4_2 h2_2 h1_2 ha_2; do
  for c in r64_distinct_bs1_ r64_uniform r64_identical; do
    PYTHONPATH=/tmp/s_${run%_*} timeout 60 python3 -m sgmv bench --quick --dtype bf16 --op add_lora --cases $c --no-baselines --no-pairs --out /tmp/hh/parts/$run-$c > /dev/null 2>&1 || echo "run $run $c failed"
  done
  mkdir -p /tmp/hh/$run
  python3 - "$run" <<'PY'
import sys, glob
run = sys.argv[1]
files = sorted(glob.glob(f"/tmp/hh/parts/{run}-*/results.csv"))
lines = [open(f).read().splitlines() for f in files]
with open(f"/tmp/hh/{run}/results.csv", "w") as out:
    out.write("\n".join([lines[0][0]] + [l for ls in lines for l in ls[1:]]) + "\n")
PY
done
for v in h1 h2 h4; do python3 $REPO/benchmarks/ab_summary.py /tmp/hh ha_1,ha_2 ${v}_1,${v}_2 > $OUT/ab-$v.txt; echo "$v: $(tail -1 $OUT/ab-$v.txt)"; done
