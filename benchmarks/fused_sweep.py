"""Time add_lora as dispatch runs it ("auto"), as the shrink-expand pair, and forced onto each compiled one-launch
kernel of the case's rank (fused tiles; prefill tiles, "/prefill"; gemv kernels, "/gemv"; none for true ranks), then
dispatch's pick once more ("auto-again"), over the sweep's cases (BENCH.md method: graph replay, cold cache, median).
Feeds dispatch.prefers_fused and the one-launch kernel choice (benchmarks/NOTES.md); a kernel that cannot take a case
is left out of its line.
Usage: python benchmarks/fused_sweep.py OUT.json [bf16|fp16] [CASES] [quick|full|mid|skew|few] [VARIANTS]
CASES: as the bench's --cases (a comma list of texts, any of which a case's name contains); default every case.
quick|full|mid|skew|few: the sweep whose cases CASES picks from (default quick); mid: MID_BATCHES, batches of 4-512
rows a segment at ranks 32 and 64, which the prefill kernel's 16-row or 64-row tile takes outside the sweeps (NOTES
entries 140-153, 224); skew: SKEW_BATCHES (entry 234); few: FEW_TILE_BATCHES (entry 393).
VARIANTS: a comma list of texts; only the forced variants whose names contain one are timed (auto always; default all).
"""
import json
import sys
import zlib

import torch

import sgmv
from sgmv import cuda_ops, manifest
from sgmv.bench.cases import BenchCase, make_buffers, matching, sweep
from sgmv.bench.timer import copy_bandwidth, sets_for, time_graph
from sgmv.errors import UnsupportedError


# (h_in, h_out, segments, rows a segment): one_launch's few-rows and mid-size batches, as its tests and entries 140-153
# name them
MID_SHAPES = ((4096, 4096, 64, 4), (4096, 4096, 40, 8), (4096, 4096, 33, 31), (14336, 4096, 40, 24),
              (8192, 8192, 32, 32), (14336, 4096, 16, 64), (8192, 8192, 24, 40), (4096, 14336, 4, 512))
MID_BATCHES = [BenchCase(h_in, h_out, rank, segs * rows, "mid", (rows,) * segs)
               for rank in (32, 64) for h_in, h_out, segs, rows in MID_SHAPES]
# (segments, rows a segment, the longest's rows): skewed batches of 16-32 segments, one 2-3x the others, whose tiles
# entry 231's count puts at 50-75% of the SMs (the 16-row tile, where T / 16 had left them to the grid handoff;
# untimed there), at the sweeps' four shapes and ranks 16-64
SKEW_SHAPES = ((15, 20, 48), (15, 24, 60), (15, 28, 70), (31, 12, 30), (31, 8, 24), (31, 15, 40), (19, 20, 50),
               (23, 17, 45))
SKEW_BATCHES = [BenchCase(h_in, h_out, rank, others * rows + longest, "skewed", (longest,) + (rows,) * others)
                for h_in, h_out in ((4096, 4096), (8192, 8192), (4096, 14336), (14336, 4096)) for rank in (16, 32, 64)
                for others, rows, longest in SKEW_SHAPES]
# (segments, rows a segment): batches of one to three 16-row tiles (a 16-row tile a segment), at the sweeps' four
# shapes and 5120 x 5120, ranks 32-128: where the 8-warp 16-row tiles ran faster (NOTES entries 388, 392 and 393)
FEW_TILES = ((1, 1), (1, 2), (1, 4), (1, 8), (1, 12), (1, 16), (2, 8), (2, 16), (3, 16))
FEW_TILE_BATCHES = [BenchCase(h_in, h_out, rank, segs * rows, "few", (rows,) * segs)
                    for h_in, h_out in ((4096, 4096), (8192, 8192), (4096, 14336), (14336, 4096), (5120, 5120))
                    for rank in (32, 64, 128) for segs, rows in FEW_TILES]
BATCH_SETS = {"mid": MID_BATCHES, "skew": SKEW_BATCHES, "few": FEW_TILE_BATCHES}


def main(out_path: str, dtype_name: str = "bf16", cases: str = "", sweep_name: str = "quick",
         variant_texts: str = "") -> None:
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[dtype_name]
    kernels = manifest.load().kernels
    bandwidth = copy_bandwidth("cuda")
    results = []
    wanted = [t for t in variant_texts.split(",") if t]
    for case in matching(BATCH_SETS.get(sweep_name) or sweep(quick=sweep_name != "full"), cases):
        one_launch = [k for k in kernels if k.op in cuda_ops.ONE_LAUNCH_OPS and k.dtype == dtype_name
                      and k.rank == case.rank and not k.true_ranks]
        variants = ([("auto", None, True), ("pair", False, False), ("pair+pdl", False, True)]
                    + [(k.name.split(f"_r{k.rank}_hany_")[-1] + ("" if k.op == "fused" else f"/{k.op}"), k, True)
                       for k in one_launch])
        variants = [v for v in variants if v[0] == "auto" or not wanted or any(t in v[0] for t in wanted)]
        variants.append(("auto-again", None, True))  # dispatch's pick once more, last: does the order of timing matter?
        gen = torch.Generator("cuda").manual_seed(zlib.crc32(case.name.encode()))
        first = make_buffers(case, dtype, "cuda", gen)
        nbytes = sum(t.numel() * t.element_size() for t in (first.x, first.y, first.lora_a, first.lora_b))
        sets = [first] + [make_buffers(case, dtype, "cuda", gen) for _ in range(sets_for(nbytes) - 1)]
        batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(case.num_segments)), device="cuda")
        rows = cuda_ops.Rows(batch.seg_indptr, batch.lora_indices, max_segment_rows=batch.max_segment_rows or -1,
                             tables_ready=batch.tables_from_host)  # as sgmv.add_lora passes them
        floor = case.floor_bytes(2) / bandwidth * 1e6
        y0 = first.y.clone()  # timing adds into the sets' y: check against the first set's starting y
        want = y0.clone()
        cuda_ops.add_lora(want, first.x, [first.lora_a], [first.lora_b], rows, None, 0.5, fused=False)
        line = f"{case.name:30} tgt {max(1.3 * floor, floor + 4):6.2f}"
        for name, variant, overlap in variants:
            cuda_ops.OVERLAP_PREVIOUS_CALL = overlap
            got = y0.clone()
            try:
                cuda_ops.add_lora(got, first.x, [first.lora_a], [first.lora_b], rows, None, 0.5, fused=variant)
            except (UnsupportedError, ValueError):  # a forced kernel this batch cannot take
                continue
            delta = want.double() - y0.double()
            err = ((got.double() - want.double()).norm() / max(delta.norm(), 1e-30)).item()
            us = time_graph([lambda b=b: cuda_ops.add_lora(b.y, b.x, [b.lora_a], [b.lora_b], rows, None, 0.5,
                                                           fused=variant) for b in sets])
            results.append(dict(case=case.name, variant=name, us=us, floor_us=floor, err=err))
            line += f" |{name} {us:6.2f}" + (f" e{err:.0e}" if err > 1e-2 else "")
        cuda_ops.OVERLAP_PREVIOUS_CALL = True
        print(line, flush=True)
        del sets
        torch.cuda.empty_cache()
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
