"""Entry 398's reading of a dispatch_sweep A/B of one constant (calls 2, 7, 8): per case the medians of each value,
moved (dispatch's kernel or grid differs between the values, on the CPU, under dispatch_picks' occupancy model), and
B/A; a line a moved case, then the moved and unmoved summaries. With --cpu, only the cases --batches gives that move.
    SGMV_MANIFEST=site/sgmv/kernels/manifest.json PYTHONPATH=python python3 ab_moved.py /tmp/ab NAME A B bf16,fp16
    SGMV_MANIFEST=... PYTHONPATH=python python3 ab_moved.py --cpu NAME A B bf16 SHAPES BATCHES RANKS
(the manifest: a built wheel's, unzipped; the dispatch on PYTHONPATH is the one read). AB_WITH=NAME2[,NAME3] in the
environment: constants set in step with NAME (a sweep's --with=NAME2=A,B, or constants added after the sweep ran)."""
import csv, glob, json, os, pathlib, statistics, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import torch
from sgmv import manifest, dispatch
from sgmv.bench import run
from sgmv.bench.cases import BenchCase
import dispatch_picks as dp
import dispatch_sweep as ds
m = manifest.parse(json.loads(pathlib.Path(os.environ["SGMV_MANIFEST"]).read_text()))
run.load_manifest = lambda: m
by_name = {k.name: k for k in m.kernels}

def pick(case, dt, name, value):
    ds.set_constant(name, value)
    for other in filter(None, os.environ.get("AB_WITH", "").split(",")):
        ds.set_constant(other, value)
    kname = run.kernels_for(case, {"bf16": torch.bfloat16, "fp16": torch.float16}[dt], "add_lora", 90, 132,
                            dp.resident_blocks, dp.resident_clusters)
    k = by_name.get(kname)
    grid = None
    if k is not None and k.op == "fused":
        p = dispatch.Problem("fused", dt, case.rank, case.h_in, case.rows, case.num_segments, True, (case.h_out,),
                             (case.rank,), max(case.segments))
        grid = dispatch.handoff_grid(p, k, 132, dp.resident_blocks(k))
    return kname.split("_hany_")[-1] + str(grid)

root, name, a, b, dts = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(",")
if root == "--cpu":
    shapes, batches, ranks = sys.argv[6:9]
    for c in ds.batch_cases(batches, shapes, ranks):
        pa, pb = pick(c, dts[0], name, a), pick(c, dts[0], name, b)
        if pa != pb: print(c.name, pa, "->", pb)
    sys.exit()
for dt in dts:
    times = {}
    for f in glob.glob(f"{root}/{dt}/{name}=*/results.csv"):
        v = int(f.split("=")[1].split(",")[0].split("-")[0])
        for r in csv.DictReader(open(f)):
            if r["op"] != "add_lora": continue
            assert r.get("wrong", "") in ("", "False", "0"), r
            c = BenchCase(int(r["h_in"]), int(r["h_out"]), int(r["rank"]), int(r["rows"]), "uniform",
                          (int(r["rows"]) // int(r["segments"]),) * int(r["segments"]))
            times.setdefault(r["case"], (c, {}))[1].setdefault(v, []).append(float(r["time_us"]))
    moved, unmoved = [], []
    for cname, (c, tv) in sorted(times.items()):
        pa, pb = pick(c, dt, name, a), pick(c, dt, name, b)
        ratio = statistics.median(tv[b]) / statistics.median(tv[a])
        (moved if pa != pb else unmoved).append(ratio)
        if pa != pb:
            print(f"{dt} {cname:36s} {ratio:.3f} {statistics.median(tv[a]):.2f}->{statistics.median(tv[b]):.2f} {pa} -> {pb}")
    def s(x): return f"{len(x)} median {statistics.median(x):.3f} ({min(x):.3f}-{max(x):.3f})" if x else "0"
    print(f"{dt}: moved {s(moved)}; unmoved {s(unmoved)}")
