# A/B timing of two builds of the package (dist_exp/<variant>/*.whl) on chosen quick-sweep cases and ops:
# bash benchmarks/ab_compare.sh  (on the GPU machine, from the repository root)
for v in old e; do python3 -m pip install -q --no-deps --no-index --target /tmp/s_$v dist_exp/$v/*.whl; done
cd /tmp
for v in old e; do
  extra=""; [ $v != old ] && extra="--no-pairs"
  for c in h4096_r16 h4096_r64 h8192_r16_distinct; do
    PYTHONPATH=/tmp/s_$v python3 -m sgmv bench --quick --dtype bf16 --op add_lora,expand,shrink --no-baselines $extra --cases $c --out /tmp/ab/$v/$c > /dev/null 2>&1
  done
done
python3 - <<'PY'
import json, os, glob
out = "/tmp/ab"
res = {}
for v in ("old", "e"):
    for f in glob.glob(f"{out}/{v}/*/results.json"):
        for r in json.load(open(f))["rows"]:
            res.setdefault((r["op"], r["case"]), {})[v] = r["time_us"]
for (op, case), t in sorted(res.items()):
    print(f"{op[0]} {case.removeprefix('h').replace('_distinct', '_d').replace('_identical', '_i').replace('_uniform', '_u').replace('_prefill', '_p')} "
          + " ".join(f"{t.get(v, float('nan')):.1f}" for v in ("old", "e")), end="; ")
PY
