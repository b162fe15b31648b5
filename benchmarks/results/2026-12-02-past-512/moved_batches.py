# The batches whose kernels values of a one_launch constant change (NOTES.md, entry 168), on the CPU from a kernels
# manifest (/tmp/w158: an unzipped default wheel): PYTHONPATH=python python3 THIS BATCHES SHAPES RANKS V1,V2,.. NAME
import json, pathlib, sys, torch
sys.path.insert(0, "benchmarks")
from sgmv import manifest, one_launch
from sgmv.bench import run
import dispatch_picks as dp, dispatch_sweep as ds
loaded = manifest.parse(json.loads(pathlib.Path("/tmp/w158/sgmv/kernels/manifest.json").read_text()))
run.load_manifest = lambda: loaded
NAME = sys.argv[5]; batches = sys.argv[1]; shapes = sys.argv[2]; ranks = sys.argv[3]; vals = [int(v) for v in sys.argv[4].split(",")]
cases = ds.batch_cases(batches, shapes, ranks)
moved = 0
for c in cases:
    ks = []
    for v in vals:
        setattr(one_launch, NAME, v)
        ks.append(run.kernels_for(c, torch.bfloat16, "add_lora", 90, 132, dp.resident_blocks))
    if len(set(map(str, ks))) > 1:
        moved += 1; print(c.name, *ks, sep=" | ")
print(moved, "of", len(cases), "change")
