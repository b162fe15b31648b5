"""NOTES entry 142: batches of 9-31 rows in every segment (each its own adapter: e.g. a step of speculative decoding
over many sequences) on the prefill kernel's 16-row tile against the launch pair they run on today. The rule gives
the tile batches of at most PREFILL_FEW_ROWS_MAX_MEAN (8) rows a segment; this times each case with the limit at 8
and at 32 in turn, `repeat` times, and prints the medians with the floor and the target (BENCH.md's method:
sgmv.bench.run.measure, which checks each case against the float64 reference first).

    python mid_rows.py DTYPE [REPEAT]   (from the repository root, the wheel on PYTHONPATH; needs a GPU)

Runs on dist_head (main at 8828f4c), where the limit is named PREFILL_SKEWED_MAX_MEAN_ROWS and a batch needs a
segment of PREFILL_SKEWED_MIN_LONGEST_ROWS rows; the script sets that to 0, entry 140's rule.
"""
import statistics
import sys

from sgmv import cuda_ops, dispatch
from sgmv.bench.cases import BenchCase
from sgmv.bench.run import DTYPES, measure
from sgmv.bench.timer import copy_bandwidth

SHAPES = [(4096, 4096), (8192, 8192), (4096, 14336), (14336, 4096)]
RANKS = [16, 64]
BATCHES = [(40, 10), (64, 12), (48, 16), (96, 16), (40, 24), (64, 24), (33, 31)]  # (segments, rows each)
LIMITS = [8, 32]


def cases() -> list[BenchCase]:
    return [BenchCase(h_in, h_out, rank, segs * rows, "uniform", (rows,) * segs)
            for h_in, h_out in SHAPES for rank in RANKS for segs, rows in BATCHES]


def main(dtype: str, repeat: int) -> None:
    bandwidth = copy_bandwidth("cuda")
    dispatch.PREFILL_SKEWED_MIN_LONGEST_ROWS = 0
    times: dict[str, dict[int, list[float]]] = {}
    rows = {}
    for _ in range(repeat):
        for limit in LIMITS:
            dispatch.PREFILL_SKEWED_MAX_MEAN_ROWS = limit
            cuda_ops.clear_selections()
            for case in cases():
                row = measure(case, DTYPES[dtype], "add_lora", bandwidth, baselines=False)
                times.setdefault(case.name, {}).setdefault(limit, []).append(row.time_us)
                rows[(case.name, limit)] = row
    print(f"{dtype}; add_lora time_us (median of {repeat}) with the 16-row tile's limit at "
          + " / ".join(map(str, LIMITS)) + " rows a segment")
    for name, per_limit in times.items():
        first = rows[(name, LIMITS[0])]
        medians = [statistics.median(per_limit[v]) for v in LIMITS]
        kernels = " | ".join(rows[(name, v)].kernels for v in LIMITS)
        print(f"{name:36s} floor {first.floor_us:6.1f} target {first.target_us:6.1f}  "
              + "  ".join(f"{t:7.2f}" for t in medians) + f"  ratio {medians[1] / medians[0]:.3f}  {kernels}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
