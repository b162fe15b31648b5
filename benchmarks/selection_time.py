"""Host time of add_lora's kernel selection for a new problem, on the CPU (no GPU: stub_device.py's stand-in of 132
SMs, occupancy as benchmarks/dispatch_picks.py gives it): each problem of a grid of decode and prefill batches
(ranks 16 and 64, h 4096, 1-2000 rows in 1-64 segments, lengths known) goes through cuda_ops's memoized selections
from empty memos, as a serving engine's eager-mode step meets a batch it has not seen (one_launch_padded's
one_launch_plan: the one-launch kernel, and on a miss the rank split, the padded rank and the rank's parts); prints
the best of five passes in microseconds a problem (benchmarks/NOTES.md, entries 148, 155 and 339).

    PYTHONPATH=python python benchmarks/selection_time.py --manifest=M   (a manifest.json, e.g. from a wheel)
"""
import sys
import time

from sgmv import cuda_ops
from sgmv.dispatch import Problem

import stub_device


def problems(dtype: str = "bf16") -> list[Problem]:
    return [Problem("fused", dtype, rank, 4096, rows, segs, True, (4096,), (rank,), -(-rows // segs))
            for rank in (16, 64) for rows in range(1, 2000, 7) for segs in (1, 4, 16, 64) if segs <= rows]


def time_selections(batch: list[Problem], passes: int = 5) -> float:
    """Microseconds a new problem, the best of `passes` passes over `batch` from cleared memos."""
    best = float("inf")
    with stub_device.stubbed():
        for _ in range(passes):
            cuda_ops.clear_selections()
            start = time.perf_counter()
            for problem in batch:
                cuda_ops._installed_one_launch_plan(problem, 0)
            best = min(best, (time.perf_counter() - start) / len(batch) * 1e6)
    return best


if __name__ == "__main__":
    stub_device.manifest_flag(sys.argv[1:])
    batch = problems()
    print(f"{time_selections(batch):.1f} us a new problem ({len(batch)} problems, best of 5)")
