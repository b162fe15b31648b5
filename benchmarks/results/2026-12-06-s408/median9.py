"""Entry 408's reading of a rank-16 A/B of the 16-row tiles' bound run three times (s406 call.sh r16-hin, this
directory's call.sh narrow): per case and dtype, the median of the 9 times of each value
of the constant (3 runs x 3 repeats), and 18 / 16, with h_in / h_out.
    python3 median9.py PREFIX DIR...   (each DIR a PREFIX-sweep.tgz unpacked: PREFIX/PREFIX-DTYPE/NAME=VALUE-REPEAT/
    results.csv; PREFIX ph for call.sh r16-hin, nw for this directory's call.sh narrow)"""
import collections, csv, glob, statistics, sys

times = collections.defaultdict(list)
prefix = sys.argv[1]
for d in sys.argv[2:]:
    for path in glob.glob(f"{d}/{prefix}/{prefix}-*/*=*-*/results.csv"):
        value = path.split("/")[-2].split(",")[0].split("=")[1].rsplit("-", 1)[0]  # NAME=V[,NAME2=W]-REPEAT
        for row in csv.DictReader(open(path)):
            if row["op"] == "add_lora":
                times[(row["dtype"], row["case"], int(row["h_in"]) / int(row["h_out"]), value)].append(
                    float(row["time_us"]))
cases = sorted({k[:3] for k in times}, key=lambda k: (k[0], -k[2], k[1]))
for dt, case, ratio in cases:
    a, b = (statistics.median(times[(dt, case, ratio, v)]) for v in ("16", "18"))
    n = len(times[(dt, case, ratio, "16")])
    print(f"{dt:9} {case:36} h_in/h_out {ratio:4.2f}  16: {a:6.2f}  18: {b:6.2f}  18/16 {b / a:.3f}  (n={n})")
