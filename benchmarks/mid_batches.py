"""Mid-size batches (a few segments of 128-2048 rows: chunked prefill) timed several ways, for NOTES.md entry 368:
add_lora as dispatch runs it, add_lora forced onto the launch pair (split-K shrink, then the expand launched to
overlap it), the standalone ops (sgmv.shrink, sgmv.expand) with and without the prefill tile's halves
(prefill_phases), and sgmv.shrink then sgmv.expand in one graph (the halves' pair, where they take the batch). Each
op is checked against the reference first (the bench's measure), then timed as the bench times it (graph replay over
cold buffer sets).

    python benchmarks/mid_batches.py OUT.json [--dtype=bf16] [--shapes=IxO,...] [--ranks=R,...] [--batches=SxR,...]
"""
import argparse
import json
import math

import torch

from sgmv import cuda_ops, ops, prefill_phases
from sgmv.bench.cases import BenchCase
from sgmv.batch import LoraBatch
from sgmv.bench.cases import make_buffers
from sgmv.bench.run import measure
from sgmv.bench.timer import copy_bandwidth, sets_for, time_graph, warm_up


def pairs(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in (item.split("x") for item in text.split(","))]


def time_ops_pair(case: BenchCase, dtype: torch.dtype) -> float:
    """sgmv.shrink then sgmv.expand (as dispatch runs them) over the case's cold buffer sets, in one graph: us a
    call."""
    device = torch.device("cuda")
    gen = torch.Generator(device=device).manual_seed(1)
    first = make_buffers(case, dtype, device, gen)
    set_bytes = sum(t.numel() * t.element_size() for t in (first.x, first.y, first.lora_a, first.lora_b, first.v))
    sets = [first] + [make_buffers(case, dtype, device, gen) for _ in range(sets_for(set_bytes) - 1)]
    batch = LoraBatch.from_segments(torch.tensor(case.indptr(), dtype=torch.int32),
                                    torch.arange(case.num_segments, dtype=torch.int32), device=device)

    def call(b):
        return lambda: ops.expand(b.y, ops.shrink(b.x, b.lora_a, batch), b.lora_b, batch, 0.5)
    time_us = time_graph([call(b) for b in sets])
    del sets
    torch.cuda.empty_cache()
    return time_us


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--dtype", default="bf16")
    parser.add_argument("--shapes", default="5120x13824,4096x4096,2048x5632,18944x3584")
    parser.add_argument("--ranks", default="16,64,128")
    parser.add_argument("--batches", default="1x960,2x512,4x256,8x128,1x2048")
    args = parser.parse_args()
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[args.dtype]
    device = torch.device("cuda")
    warm_up(device)
    bandwidth = copy_bandwidth(device)
    one_launches = cuda_ops._one_launches
    results = []
    cases = [BenchCase(h_in, h_out, rank, s * r, "uniform", (r,) * s) for h_in, h_out in pairs(args.shapes)
             for rank in map(int, args.ranks.split(",")) for s, r in pairs(args.batches)]
    print(f"{'case':36s} {'floor':>5s} {'tgt':>5s} {'today':>6s} {'pair':>6s} {'halves':>6s} | shrink old -> new"
          " (floor), expand old -> new (floor)  kernels")
    for case in cases:
        today = measure(case, dtype, "add_lora", bandwidth, False)
        cuda_ops._one_launches = lambda *a, **k: None
        cuda_ops.clear_selections()
        try:
            pair = measure(case, dtype, "add_lora", bandwidth, False)
        finally:
            cuda_ops._one_launches = one_launches
            cuda_ops.clear_selections()
        shrink = measure(case, dtype, "shrink", bandwidth, False)
        expand = measure(case, dtype, "expand", bandwidth, False)
        halves = time_ops_pair(case, dtype)
        prefill_phases.PHASES = 0  # the shrink and expand kernels only
        cuda_ops.clear_selections()
        try:
            old_shrink = measure(case, dtype, "shrink", bandwidth, False)
            old_expand = measure(case, dtype, "expand", bandwidth, False)
        finally:
            prefill_phases.PHASES = 1
            cuda_ops.clear_selections()
        row = dict(case=case.name, floor_us=today.floor_us, target_us=today.target_us, today_us=today.time_us,
                   pair_us=pair.time_us, shrink_us=shrink.time_us, expand_us=expand.time_us,
                   old_shrink_us=old_shrink.time_us, old_expand_us=old_expand.time_us, halves_us=halves,
                   shrink_floor_us=shrink.floor_us, expand_floor_us=expand.floor_us, today_kernels=today.kernels,
                   kernels=f"{shrink.kernels}+{expand.kernels}",
                   old_kernels=f"{old_shrink.kernels}+{old_expand.kernels}",
                   wrong=[r.wrong for r in (today, pair, shrink, expand, old_shrink, old_expand) if r.wrong])
        results.append(row)
        print(f"{case.name:36s} {today.floor_us:5.1f} {today.target_us:5.1f} {today.time_us:6.1f} {pair.time_us:6.1f}"
              f" {halves:6.1f} | sh {old_shrink.time_us:6.1f} -> {shrink.time_us:6.1f} ({shrink.floor_us:5.1f})"
              f" ex {old_expand.time_us:6.1f} -> {expand.time_us:6.1f} ({expand.floor_us:5.1f})  "
              f"{row['kernels'].replace('sgmv_', '')}{' WRONG' if row['wrong'] else ''}", flush=True)
    with open(args.out, "w") as f:
        json.dump(dict(bandwidth=bandwidth, dtype=args.dtype, results=results), f, indent=1)
    met = sum(1 for r in results if r["today_us"] <= r["target_us"])
    print(f"{met} of {len(results)} within the target today; pair faster than today at "
          f"{sum(1 for r in results if r['pair_us'] < r['today_us'])}; copy bandwidth {bandwidth / 1e12:.2f} TB/s")
    assert not any(math.isnan(r["today_us"]) for r in results)


if __name__ == "__main__":
    main()
