"""Compares A/B runs of the bench (each run's OUT/<run>/results.csv): per case, the median time of the A runs and of
the B runs, B/A, and whether each meets its target; then the median B/A of each kernel's cases (the A runs'
`kernels` column, its dtype left out: a kernel both builds share is the control for one they do not), and last the
median, least and greatest B/A over every case.

    python benchmarks/ab_summary.py ROOT A1,A2 B1,B2

(benchmarks/ab_prefill_builds.sh runs ab_cases.py as A1 B1 B2 A2 under ROOT/ab and calls this.)
"""
import collections
import csv
import pathlib
import re
import statistics
import sys


def load(path: pathlib.Path) -> dict:
    return {(r["dtype"], r["case"]): r for r in csv.DictReader(open(path / "results.csv"))}


def main(root: pathlib.Path, a_runs: list[str], b_runs: list[str]) -> None:
    a = [load(root / run) for run in a_runs]
    b = [load(root / run) for run in b_runs]
    ratios = []
    by_kernel = collections.defaultdict(list)
    print(f"{'dtype':9s} {'case':40s} {'floor':>7s} {'target':>7s} {'A':>7s} {'B':>7s}  B/A")
    for key in a[0]:
        ta = statistics.median(float(run[key]["time_us"]) for run in a)
        tb = statistics.median(float(run[key]["time_us"]) for run in b)
        target, floor = float(a[0][key]["target_us"]), float(a[0][key]["floor_us"])
        ratios.append(tb / ta)
        if "kernels" in a[0][key]:  # runs before the bench wrote the column have none
            by_kernel[re.sub(r"_(bf16|fp16)_", "_", a[0][key]["kernels"])].append(tb / ta)
        print(f"{key[0]:9s} {key[1]:40s} {floor:7.1f} {target:7.1f} {ta:7.1f} {tb:7.1f}  {tb / ta:.3f} "
              f"{'ok' if ta <= target else '  '} {'ok' if tb <= target else '  '}")
    for kernel, kernel_ratios in sorted(by_kernel.items()):
        print(f"kernel {kernel}: {len(kernel_ratios)} cases, median B/A {statistics.median(kernel_ratios):.3f}, "
              f"min {min(kernel_ratios):.3f}, max {max(kernel_ratios):.3f}")
    print(f"median B/A {statistics.median(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f}")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3].split(","))
