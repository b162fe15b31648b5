"""Entry 398: the add_lora picks of both sweeps (both dtypes) that move when dispatch constant NAME goes from A to B.
    SGMV_MANIFEST=site/sgmv/kernels/manifest.json PYTHONPATH=python python3 sweep_moved.py NAME A B"""
import json, os, pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
from sgmv import manifest
from sgmv.bench import run
from sgmv.bench.cases import sweep
import dispatch_picks as dp, dispatch_sweep as ds
m = manifest.parse(json.loads(pathlib.Path(os.environ["SGMV_MANIFEST"]).read_text()))
run.load_manifest = lambda: m
name, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cases = {c.name: c for q in (True, False) for c in sweep(q)}
n = 0
for dt, dtype in dp.DTYPES.items():
    for cn, c in sorted(cases.items()):
        ds.set_constant(name, a); ka = run.kernels_for(c, dtype, "add_lora", 90, 132, dp.resident_blocks, dp.resident_clusters)
        ds.set_constant(name, b); kb = run.kernels_for(c, dtype, "add_lora", 90, 132, dp.resident_blocks, dp.resident_clusters)
        if ka != kb: n += 1; print(dt, cn, ka, "->", kb)
print("moved", n, "of", 2 * len(cases))
