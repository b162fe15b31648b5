"""NOTES entry 144: entry 143's rule for batches of longer segments between the 16-row tile's and the 64-row tile's
(the prefill tile whose SMs stream fewer bytes) on batches it was not fitted to: other segment counts and lengths,
ranks 8 (rank 16's kernel for true ranks), 32 and 128 (two rank-64 halves), and batches whose lengths the host does
not know (built from device tensors). Times each case with the rule ("rule") and with it declining every such batch
("pair": the rule before entry 143), `repeat` times in turn, and prints the medians with the floor and the target
(BENCH.md's method; each case checked against the float64 reference first).

    python between_check.py DTYPE [REPEAT]   (from the repository root, a wheel of main at entry 143 or later on
                                              PYTHONPATH; needs a GPU)
"""
import dataclasses
import statistics
import sys

import torch

from sgmv import cuda_ops, dispatch
from sgmv.batch import LoraBatch
from sgmv.bench.cases import BenchCase, make_buffers
from sgmv.bench.run import DTYPES, TARGET_RATIO, TARGET_SLACK_US, _op_call, check
from sgmv.bench.timer import copy_bandwidth, sets_for, time_graph

BATCHES = [(12, 96), (20, 64), (6, 300), (3, 700), (40, 40), (10, 100), (28, 36), (48, 36)]  # (segments, rows)
SHAPED = [((4096, 4096), (16, 64)), ((8192, 8192), (16, 64)), ((4096, 14336), (16, 64)), ((14336, 4096), (16, 64)),
          ((4096, 4096), (8, 32, 128)), ((8192, 8192), (8, 32, 128))]
UNKNOWN = [((8192, 8192), 64, (20, 64)), ((8192, 8192), 16, (6, 300)), ((4096, 4096), 64, (40, 40))]
_rule = dispatch.prefers_prefill


def _declining_between(problem, *args, **kwargs):
    """The rule before entry 143: batches of more than PREFILL_FEW_ROWS_MAX_MEAN rows a segment only on the 64-row
    tile's own terms (the two percentages of the batches between set out of reach)."""
    if problem.num_rows <= dispatch.PREFILL_FEW_ROWS_MAX_MEAN * max(1, problem.num_segments):
        return _rule(problem, *args, **kwargs)
    kept = dispatch.PREFILL_MID_TALL_MIN_SM_PERCENT, dispatch.PREFILL_FEW_ROWS_MIN_SM_PERCENT
    dispatch.PREFILL_MID_TALL_MIN_SM_PERCENT = dispatch.PREFILL_FEW_ROWS_MIN_SM_PERCENT = 10**9
    try:
        return _rule(problem, *args, **kwargs)
    finally:
        dispatch.PREFILL_MID_TALL_MIN_SM_PERCENT, dispatch.PREFILL_FEW_ROWS_MIN_SM_PERCENT = kept


def cases() -> list[tuple[BenchCase, bool]]:
    """(case, lengths known on the host)."""
    known = [(BenchCase(h_in, h_out, rank, segs * rows, "uniform", (rows,) * segs), True)
             for (h_in, h_out), ranks in SHAPED for rank in ranks for segs, rows in BATCHES]
    return known + [(BenchCase(h_in, h_out, rank, segs * rows, "uniform", (rows,) * segs), False)
                    for (h_in, h_out), rank, (segs, rows) in UNKNOWN]


def main(dt: str, repeat: int) -> None:
    dtype, device = DTYPES[dt], torch.device("cuda")
    bandwidth = copy_bandwidth(device)
    times: dict[str, dict[str, list[float]]] = {}
    floors = {}
    for _ in range(repeat):
        for way, rule in (("pair", _declining_between), ("rule", _rule)):
            dispatch.prefers_prefill = rule
            cuda_ops.clear_selections()
            for case, known in cases():
                gen = torch.Generator(device=device).manual_seed(4321)
                first = make_buffers(case, dtype, device, gen)
                nbytes = sum(t.numel() * t.element_size() for t in dataclasses.astuple(first))
                sets = [first] + [make_buffers(case, dtype, device, gen) for _ in range(sets_for(nbytes) - 1)]
                where = "cpu" if known else device
                batch = LoraBatch.from_segments(torch.tensor(case.indptr(), dtype=torch.int32, device=where),
                                                torch.arange(case.num_segments, dtype=torch.int32, device=where),
                                                device=device)
                check("add_lora", first, batch, dtype)
                name = case.name + ("" if known else "_unknown")
                times.setdefault(name, {}).setdefault(way, []).append(
                    time_graph([_op_call("add_lora", b, batch) for b in sets]))
                floors[name] = case.floor_bytes(first.x.element_size(), "add_lora") / bandwidth * 1e6
                del sets
                torch.cuda.empty_cache()
    dispatch.prefers_prefill = _rule
    print(f"{dt}; add_lora time_us (median of {repeat}): pair (before entry 143) / rule; ratio rule / pair")
    for name, per_way in times.items():
        floor = floors[name]
        target = max(TARGET_RATIO * floor, floor + TARGET_SLACK_US)
        pair, rule = (statistics.median(per_way[w]) for w in ("pair", "rule"))
        print(f"{name:44s} floor {floor:6.1f} target {target:6.1f}  {pair:7.2f} {rule:7.2f}  ratio {rule / pair:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
