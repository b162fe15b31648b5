# A/B timing of builds of the package on chosen quick-sweep cases, add_lora/expand/shrink, bf16.
# Put each build's wheel in $AB_DIR/<variant>/ (default dist_exp; e.g. SGMV_KERNELS-filtered builds of two
# commits), carry that folder to the GPU machine and run from the repository root:
#   [AB_DIR=dist_exp] [ROUNDS=2] [AB_PACKAGE=1] bash benchmarks/ab_compare.sh [CASE ...]
# Each round times every variant in turn, in reverse order every other round (against drift of the machine);
# prints "op case time_us(variant 1) time_us(variant 2) ...", medians over the rounds, variants in name order.
# AB_PACKAGE=1 copies this tree's python/sgmv over every installed wheel (kernels from the wheels, one package).
set -e
dir=${AB_DIR:-dist_exp}
rounds=${ROUNDS:-2}
cases=${*:-h4096_r16 h4096_r64 h8192_r16_distinct}
variants=$(ls "$dir")
for v in $variants; do
  python3 -m pip install -q --no-deps --no-index --target /tmp/ab_site/$v "$dir"/$v/*.whl
  if [ "${AB_PACKAGE:-0}" = 1 ]; then cp python/sgmv/*.py /tmp/ab_site/$v/sgmv/; fi
done
cd /tmp
rm -rf /tmp/ab
for round in $(seq "$rounds"); do
  order=$variants
  if [ $((round % 2)) = 0 ]; then order=$(echo "$variants" | tac); fi
  for v in $order; do
    for c in $cases; do  # --no-pairs is not known to builds older than the serving pairs: try with, then without
      PYTHONPATH=/tmp/ab_site/$v python3 -m sgmv bench --quick --dtype bf16 --op add_lora,expand,shrink \
        --no-baselines --no-pairs --cases $c --out /tmp/ab/$v/$round/$c > /dev/null 2>&1 ||
      PYTHONPATH=/tmp/ab_site/$v python3 -m sgmv bench --quick --dtype bf16 --op add_lora,expand,shrink \
        --no-baselines --cases $c --out /tmp/ab/$v/$round/$c > /dev/null 2>&1
    done
  done
done
VARIANTS="$variants" python3 - <<'PY'
import glob, json, os, statistics
variants = os.environ["VARIANTS"].split()
res = {}
for v in variants:
    for f in glob.glob(f"/tmp/ab/{v}/*/*/results.json"):
        for r in json.load(open(f))["rows"]:
            res.setdefault((r["op"], r["case"]), {}).setdefault(v, []).append(r["time_us"])
print("op case " + " ".join(variants) + f"  (medians of rounds)")
for (op, case), t in sorted(res.items()):
    print(op, case, " ".join(f"{statistics.median(t[v]):.1f}" if v in t else "nan" for v in variants))
PY
