"""NOTES entry 143: batches of 32-1024 rows a segment in 2-32 segments (256-2048 rows: short prompts, chunked
prefill) run on the launch pair today: the 64-row tile takes only batches of PREFILL_MIN_ROWS rows whose tiles keep
PREFILL_MIN_SM_PERCENT (90%) of the SMs busy, and the 16-row tile only batches of at most PREFILL_FEW_ROWS_MAX_MEAN
rows a segment. Times each case three ways in turn, `repeat` times, and prints the medians with the floor and the
target (BENCH.md's method: sgmv.bench.run.measure, which checks each case against the float64 reference first):
  pair    today's rule
  tile16  the 16-row tile for any batch whose blocks keep half the SMs busy (no 64-row tile)
  tile64  the 64-row tile for any batch of 32 rows a segment and more, whatever share of the SMs it keeps busy

    python mid_prefill.py DTYPE [REPEAT]   (from the repository root, the wheel on PYTHONPATH; needs a GPU)

Runs on dist_head (main at 8828f4c), where the 16-row tile's limit is named PREFILL_SKEWED_MAX_MEAN_ROWS and needs
PREFILL_SKEWED_MIN_LONGEST_ROWS = 0 for entry 140's rule.
"""
import statistics
import sys

from sgmv import cuda_ops, dispatch
from sgmv.bench.cases import BenchCase
from sgmv.bench.run import DTYPES, measure
from sgmv.bench.timer import copy_bandwidth

SHAPES = [(4096, 4096), (8192, 8192), (4096, 14336), (14336, 4096)]
RANKS = [16, 64]
BATCHES = [(32, 32), (24, 40), (32, 48), (16, 64), (16, 128), (8, 256), (4, 512), (2, 1024)]  # (segments, rows)
TODAY = dict(PREFILL_SKEWED_MIN_LONGEST_ROWS=0, PREFILL_SKEWED_MAX_MEAN_ROWS=8, PREFILL_MIN_ROWS=1024,
             PREFILL_MIN_SM_PERCENT=90)
WAYS = {"pair": TODAY,
        "tile16": dict(TODAY, PREFILL_SKEWED_MAX_MEAN_ROWS=10**9, PREFILL_MIN_ROWS=10**9),
        "tile64": dict(TODAY, PREFILL_MIN_ROWS=0, PREFILL_MIN_SM_PERCENT=0)}


def cases() -> list[BenchCase]:
    return [BenchCase(h_in, h_out, rank, segs * rows, "uniform", (rows,) * segs)
            for h_in, h_out in SHAPES for rank in RANKS for segs, rows in BATCHES]


def main(dtype: str, repeat: int) -> None:
    bandwidth = copy_bandwidth("cuda")
    times: dict[str, dict[str, list[float]]] = {}
    rows = {}
    for _ in range(repeat):
        for way, constants in WAYS.items():
            for name, value in constants.items():
                setattr(dispatch, name, value)
            cuda_ops.clear_selections()
            for case in cases():
                row = measure(case, DTYPES[dtype], "add_lora", bandwidth, baselines=False)
                times.setdefault(case.name, {}).setdefault(way, []).append(row.time_us)
                rows[(case.name, way)] = row
    print(f"{dtype}; add_lora time_us (median of {repeat}), ways: " + " / ".join(WAYS) + "; ratios to pair")
    for name, per_way in times.items():
        first = rows[(name, "pair")]
        medians = {w: statistics.median(per_way[w]) for w in WAYS}
        kernels = " | ".join(rows[(name, w)].kernels.split("+")[0].removeprefix("sgmv_")[:40] for w in WAYS)
        print(f"{name:36s} floor {first.floor_us:6.1f} target {first.target_us:6.1f}  "
              + "  ".join(f"{medians[w]:7.2f}" for w in WAYS) + "  ratios "
              + " ".join(f"{medians[w] / medians['pair']:.3f}" for w in list(WAYS)[1:]) + f"  {kernels}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
