"""NOTES entry 140: batches of 3-8 rows in every segment (none over a tile; each its own adapter) on the prefill
kernel's 16-row tile against the launch pair they run as today. Entry 139 measured the 16-row tile only on skewed
batches (a segment of ~100 rows among short ones); PREFILL_SKEWED_MIN_LONGEST_ROWS = 17 keeps these on the pair,
0 gives them the tile where its blocks keep half the SMs busy. Times each case with both values in turn, `repeat`
times, and prints the median of each with the floor and the target (BENCH.md's method: sgmv.bench.run.measure).

    python few_rows.py DTYPE [REPEAT]   (from the repository root, the wheel on PYTHONPATH; needs a GPU)

It ran on dist_head (main at 8828f4c); entry 140's outcome then removed the constant (the rule now asks only that
the host know the lengths), so it runs only on a wheel from before that change.
"""
import statistics
import sys

from sgmv import cuda_ops, dispatch
from sgmv.bench.cases import BenchCase
from sgmv.bench.run import DTYPES, measure
from sgmv.bench.timer import copy_bandwidth

SHAPES = [(4096, 4096), (8192, 8192), (4096, 14336), (14336, 4096)]
RANKS = [16, 64]
BATCHES = [(64, 4), (96, 3), (48, 6), (40, 8), (128, 4)]  # (segments, rows each)
VALUES = [dispatch.PREFILL_SKEWED_MIN_LONGEST_ROWS, 0]


def cases() -> list[BenchCase]:
    return [BenchCase(h_in, h_out, rank, segs * rows, "uniform", (rows,) * segs)
            for h_in, h_out in SHAPES for rank in RANKS for segs, rows in BATCHES]


def main(dtype: str, repeat: int) -> None:
    bandwidth = copy_bandwidth("cuda")
    times: dict[str, dict[int, list[float]]] = {}
    rows = {}
    for _ in range(repeat):
        for value in VALUES:
            dispatch.PREFILL_SKEWED_MIN_LONGEST_ROWS = value
            cuda_ops.clear_selections()
            for case in cases():
                row = measure(case, DTYPES[dtype], "add_lora", bandwidth, baselines=False)
                times.setdefault(case.name, {}).setdefault(value, []).append(row.time_us)
                rows[(case.name, value)] = row
    print(f"{dtype}; add_lora time_us (median of {repeat}) with PREFILL_SKEWED_MIN_LONGEST_ROWS = "
          + " / ".join(map(str, VALUES)))
    for name, per_value in times.items():
        first = rows[(name, VALUES[0])]
        medians = [statistics.median(per_value[v]) for v in VALUES]
        kernels = " | ".join(rows[(name, v)].kernels for v in VALUES)
        print(f"{name:36s} floor {first.floor_us:6.1f} target {first.target_us:6.1f}  "
              + "  ".join(f"{t:7.2f}" for t in medians) + f"  ratio {medians[1] / medians[0]:.3f}  {kernels}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
