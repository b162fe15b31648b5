"""Host time of add_lora's kernel selection for a new problem, on the CPU (no GPU: cuda_ops's device mocked as 132
SMs, occupancy as benchmarks/dispatch_picks.py gives it): each problem of a grid of decode and prefill batches
(ranks 16 and 64, h 4096, 1-2000 rows in 1-64 segments, lengths known) goes through cuda_ops's memoized selections
from empty memos, as a serving engine's eager-mode step meets a batch it has not seen (one_launch_padded's
one_launch_plan: the one-launch kernel, and on a miss the rank split, the padded rank and the rank's parts); prints
the best of five passes in microseconds a problem (benchmarks/NOTES.md, entries 148, 155 and 339).

    PYTHONPATH=python python benchmarks/selection_time.py --manifest=M   (a manifest.json, e.g. from a wheel)
"""
import json
import pathlib
import sys
import time
import types

from sgmv import cuda_ops, manifest
from sgmv.dispatch import Problem

from dispatch_picks import NUM_SMS, resident_blocks, resident_clusters


def problems(dtype: str = "bf16") -> list[Problem]:
    return [Problem("fused", dtype, rank, 4096, rows, segs, True, (4096,), (rank,), -(-rows // segs))
            for rank in (16, 64) for rows in range(1, 2000, 7) for segs in (1, 4, 16, 64) if segs <= rows]


def time_selections(batch: list[Problem], passes: int = 5) -> float:
    """Microseconds a new problem, the best of `passes` passes over `batch` from cleared memos."""
    device = types.SimpleNamespace(num_sms=NUM_SMS, resident_blocks=resident_blocks,
                                   resident_clusters=resident_clusters, arch=90)
    real_device, cuda_ops.loader.device = cuda_ops.loader.device, lambda index: device
    try:
        best = float("inf")
        for _ in range(passes):
            cuda_ops.clear_selections()
            start = time.perf_counter()
            for problem in batch:
                cuda_ops._installed_one_launch_plan(problem, 0)
            best = min(best, (time.perf_counter() - start) / len(batch) * 1e6)
        return best
    finally:
        cuda_ops.loader.device = real_device
        cuda_ops.clear_selections()


if __name__ == "__main__":
    flags = dict(a.split("=", 1) for a in sys.argv[1:] if a.startswith("--manifest="))
    if "--manifest" in flags:
        loaded = manifest.parse(json.loads(pathlib.Path(flags["--manifest"]).read_text()))
        cuda_ops.load_manifest = lambda: loaded
    batch = problems()
    print(f"{time_selections(batch):.1f} us a new problem ({len(batch)} problems, best of 5)")
