"""Time add_lora for every (shrink tile, expand tile) pair compiled for a shape, over the quick sweep's cases.

Build with candidate tiles first, e.g.
    SGMV_EXTRA_TILES=1 SGMV_KERNELS="*bf16_r16_h4096*;*bf16_r64_h4096*;*rany*" pip wheel . -w dist/
then `python benchmarks/tile_sweep.py OUT.json`. Feeds dispatch.select's row-tile rule (see NOTES.md).
"""
import itertools
import json
import sys
import zlib

import torch

import sgmv
from sgmv import cuda_ops, manifest
from sgmv.bench.cases import make_buffers, sweep
from sgmv.bench.timer import copy_bandwidth, sets_for, time_graph


def main(out_path: str) -> None:
    kernels = manifest.load().kernels
    bandwidth = copy_bandwidth("cuda")
    results = []
    for case in sweep(quick=True):
        mine = [k for k in kernels if k.dtype == "bf16" and k.rank == case.rank]
        shrinks = [k for k in mine if k.op == "shrink" and k.hidden == case.h_in]
        expands = [k for k in mine if k.op == "expand" and k.hidden == case.h_out]
        if not shrinks or not expands:
            continue
        gen = torch.Generator("cuda").manual_seed(zlib.crc32(case.name.encode()))
        first = make_buffers(case, torch.bfloat16, "cuda", gen)
        nbytes = sum(t.numel() * t.element_size() for t in (first.x, first.y, first.lora_a, first.lora_b))
        sets = [first] + [make_buffers(case, torch.bfloat16, "cuda", gen) for _ in range(sets_for(nbytes) - 1)]
        batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(case.num_segments)), device="cuda")
        floor = case.floor_bytes(2) / bandwidth * 1e6
        for s, e in itertools.product(shrinks, expands):
            rows = cuda_ops.Rows(batch.seg_indptr, batch.lora_indices)
            us = time_graph([lambda b=b: cuda_ops.add_lora(b.y, b.x, [b.lora_a], [b.lora_b], rows, None, 0.5,
                                                           kernels=(s, e))
                             for b in sets])
            results.append(dict(case=case.name, shrink=s.name, expand=e.name, us=us, floor_us=floor))
            print(f"{case.name:34} {s.name[12:]:34} {e.name[12:]:34} {us:7.1f} us  floor {floor:6.1f}", flush=True)
        del sets
        torch.cuda.empty_cache()
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
