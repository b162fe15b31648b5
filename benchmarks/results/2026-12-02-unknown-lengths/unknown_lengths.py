"""NOTES entry 141: batches of 3-8 rows a segment whose lengths the host does not know (a LoraBatch built from
device tensors, as a serving engine's step may build it) on the prefill kernel's 16-row tile against the launch pair
that entry 140's rule leaves them on. Cases: entry 140's batches of a few rows in every segment and the full sweep's
skewed bs256 batches (one long segment among short ones). Each case is checked against the float64 reference with
the device-built batch, then timed (BENCH.md's method: CUDA-graph replay over cold buffer sets, median) both ways,
`repeat` times in turn; prints the medians, the floor and the target.

    python unknown_lengths.py DTYPE [REPEAT]   (from the repository root, the wheel on PYTHONPATH; needs a GPU)

Runs on a wheel of main at 8828f4c (dist_head), whose rule still has PREFILL_SKEWED_MIN_LONGEST_ROWS: the script
sets it to 0, which is entry 140's rule, and for the second way hands prefers_prefill the batch as if its lengths
were known (the rule reads them only to decide; the launch keeps the batch as it is).
"""
import dataclasses
import statistics
import sys

import torch

from sgmv import cuda_ops, dispatch
from sgmv.batch import LoraBatch
from sgmv.bench.cases import BenchCase, make_buffers, sweep
from sgmv.bench.run import DTYPES, TARGET_RATIO, TARGET_SLACK_US, _op_call, check
from sgmv.bench.timer import copy_bandwidth, sets_for, time_graph
from sgmv.manifest import load as load_manifest

SHAPES = [(4096, 4096), (8192, 8192), (4096, 14336), (14336, 4096)]
FEW_ROWS = [(64, 4), (96, 3), (48, 6), (40, 8), (128, 4)]  # (segments, rows each), as entry 140
WAYS = ("pair", "tile")
_rule = dispatch.prefers_prefill


def _as_if_known(problem, *args, **kwargs):
    if problem.max_segment_rows < 0:
        problem = dataclasses.replace(problem, max_segment_rows=problem.num_rows)
    return _rule(problem, *args, **kwargs)


def cases() -> list[BenchCase]:
    few = [BenchCase(h_in, h_out, rank, segs * rows, "uniform", (rows,) * segs)
           for h_in, h_out in SHAPES for rank in (16, 64) for segs, rows in FEW_ROWS]
    skewed = [c for c in sweep(quick=False) if c.popularity == "skewed" and c.rows == 256]
    return few + skewed


def kernel_names(case: BenchCase, dt: str) -> str:
    """The one-launch kernel dispatch takes for the batch with its lengths unknown, or "pair"."""
    kernels, sms = load_manifest().kernels, torch.cuda.get_device_properties(0).multi_processor_count
    problem = dispatch.Problem("fused", dt, case.rank, case.h_in, case.rows, case.num_segments, True,
                               (case.h_out,), (case.rank,), -1)
    one = dispatch.one_launch_kernel(problem, kernels, sms)
    half = None if one else dispatch.rank_split(problem, kernels, sms)
    if half is not None:
        one = dispatch.one_launch_kernel(half, kernels, sms)
    padded = None if one else dispatch.padded_prefill(problem, kernels, sms)
    return one.name if one else padded[1].name if padded else "pair"


def main(dt: str, repeat: int) -> None:
    dtype = DTYPES[dt]
    bandwidth = copy_bandwidth("cuda")
    dispatch.PREFILL_SKEWED_MIN_LONGEST_ROWS = 0  # entry 140's rule on this wheel
    device = torch.device("cuda")
    times: dict[str, dict[str, list[float]]] = {}
    info = {}
    for _ in range(repeat):
        for way in WAYS:
            dispatch.prefers_prefill = _rule if way == "pair" else _as_if_known
            cuda_ops.clear_selections()
            for case in cases():
                gen = torch.Generator(device=device).manual_seed(1234)
                first = make_buffers(case, dtype, device, gen)
                nbytes = sum(t.numel() * t.element_size() for t in dataclasses.astuple(first))
                sets = [first] + [make_buffers(case, dtype, device, gen) for _ in range(sets_for(nbytes) - 1)]
                batch = LoraBatch.from_segments(torch.tensor(case.indptr(), dtype=torch.int32, device=device),
                                                torch.arange(case.num_segments, dtype=torch.int32, device=device))
                assert batch.max_segment_rows is None  # lengths unknown on the host
                error = check("add_lora", first, batch, dtype)
                times.setdefault(case.name, {}).setdefault(way, []).append(
                    time_graph([_op_call("add_lora", b, batch) for b in sets]))
                floor = case.floor_bytes(first.x.element_size(), "add_lora") / bandwidth * 1e6
                info[(case.name, way)] = (floor, kernel_names(case, dt), error)
                del sets
                torch.cuda.empty_cache()
    dispatch.prefers_prefill = _rule
    print(f"{dt}; add_lora time_us (median of {repeat}), lengths unknown on the host, ways: " + " / ".join(WAYS))
    for name, per_way in times.items():
        floor = info[(name, WAYS[0])][0]
        target = max(TARGET_RATIO * floor, floor + TARGET_SLACK_US)
        medians = [statistics.median(per_way[w]) for w in WAYS]
        print(f"{name:36s} floor {floor:6.1f} target {target:6.1f}  " + "  ".join(f"{t:7.2f}" for t in medians)
              + f"  ratio {medians[1] / medians[0]:.3f}  " + " | ".join(info[(name, w)][1] for w in WAYS)
              + f"  err {max(info[(name, w)][2] for w in WAYS):.1e}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
