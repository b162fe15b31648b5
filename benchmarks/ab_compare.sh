# A/B timing of builds of the package on chosen quick-sweep cases, add_lora/expand/shrink, bf16.
# Put each build's wheel in dist_exp/<variant>/ (e.g. SGMV_KERNELS-filtered builds of two commits), carry
# dist_exp to the GPU machine and run from the repository root:  bash benchmarks/ab_compare.sh [CASE ...]
# Prints "op case time_us(variant 1) time_us(variant 2) ..." per case, variants in dist_exp's order.
set -e
cases=${*:-h4096_r16 h4096_r64 h8192_r16_distinct}
variants=$(ls dist_exp)
for v in $variants; do python3 -m pip install -q --no-deps --no-index --target /tmp/ab_site/$v dist_exp/$v/*.whl; done
cd /tmp
for v in $variants; do
  for c in $cases; do  # --no-pairs is not known to builds older than the serving pairs: try with, then without
    PYTHONPATH=/tmp/ab_site/$v python3 -m sgmv bench --quick --dtype bf16 --op add_lora,expand,shrink --no-baselines \
      --no-pairs --cases $c --out /tmp/ab/$v/$c > /dev/null 2>&1 ||
    PYTHONPATH=/tmp/ab_site/$v python3 -m sgmv bench --quick --dtype bf16 --op add_lora,expand,shrink --no-baselines \
      --cases $c --out /tmp/ab/$v/$c > /dev/null 2>&1
  done
done
VARIANTS="$variants" python3 - <<'PY'
import glob, json, os
variants = os.environ["VARIANTS"].split()
res = {}
for v in variants:
    for f in glob.glob(f"/tmp/ab/{v}/*/results.json"):
        for r in json.load(open(f))["rows"]:
            res.setdefault((r["op"], r["case"]), {})[v] = r["time_us"]
print("op case " + " ".join(variants))
for (op, case), t in sorted(res.items()):
    print(op, case, " ".join(f"{t.get(v, float('nan')):.1f}" for v in variants))
PY
