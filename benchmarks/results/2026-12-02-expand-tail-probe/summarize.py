"""NOTES entry 176: each case's median over a build's runs (times-A1.txt, times-A2.txt, ...), and the probe builds'
times less A's. Usage: python summarize.py DIR"""
import collections
import pathlib
import statistics
import sys

runs = collections.defaultdict(lambda: collections.defaultdict(list))
kernels = {}
for path in sorted(pathlib.Path(sys.argv[1]).glob("times-*.txt")):
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith("h"):
            runs[path.stem[6]][parts[0]].append(float(parts[2]))
            kernels[parts[0]] = parts[1].replace("sgmv_fused_bf16_r64_hany_", "")
print(f"{'case':32s} {'kernel':18s} {'A':>6s} {'M-A':>6s} {'W-A':>6s} {'E-A':>6s}")
for case in kernels:
    a = statistics.median(runs["A"][case])
    d = [statistics.median(runs[b][case]) - a if runs[b][case] else float("nan") for b in "MWE"]
    print(f"{case:32s} {kernels[case]:18s} {a:6.2f} {d[0]:6.2f} {d[1]:6.2f} {d[2]:6.2f}")
