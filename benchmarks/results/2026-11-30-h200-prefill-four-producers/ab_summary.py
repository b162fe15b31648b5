"""python ab_summary.py ROOT A1,A2 B1,B2: per case, median time of A runs and of B runs (ROOT/<run>/results.csv),
B/A, and whether each meets the target."""
import csv, statistics, sys, pathlib
root = pathlib.Path(sys.argv[1]); A = sys.argv[2].split(","); B = sys.argv[3].split(",")
def load(run):
    return {(r["dtype"], r["case"]): r for r in csv.DictReader(open(root / run / "results.csv"))}
a = [load(r) for r in A]; b = [load(r) for r in B]
ratios = []
print(f"{'case':40s} {'floor':>7s} {'target':>7s} {'A':>7s} {'B':>7s}  B/A")
for key in a[0]:
    ta = statistics.median(float(x[key]["time_us"]) for x in a)
    tb = statistics.median(float(x[key]["time_us"]) for x in b)
    tg = float(a[0][key]["target_us"]); fl = float(a[0][key]["floor_us"])
    ratios.append(tb / ta)
    print(f"{key[1]:40s} {fl:7.1f} {tg:7.1f} {ta:7.1f} {tb:7.1f}  {tb/ta:.3f} {'ok' if ta <= tg else '  '} {'ok' if tb <= tg else '  '}")
print(f"median B/A {statistics.median(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f}")
