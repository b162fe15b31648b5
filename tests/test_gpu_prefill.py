"""add_lora for long segments in one launch on the GPU (the prefill kernel, prefill.cuh): its shapes and layouts, its
blocks' walk over many tiles, its clusters' swaps of v, dispatch's choice of it and chained calls, true ranks, against
a float64 reference on fresh random data.

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import itertools
import random
import sys
import time
import zlib
from typing import Optional

import pytest
import torch

import sgmv
from sgmv import cuda_ops, loader, one_launch, reference
from sgmv.cuda_ops import Rows
from sgmv.dispatch import Problem
from sgmv.launch_plan import plan
from conftest import Case, covered_rows, poison_allocator, poison_past_rank, requires_gpu, token_loras, true_ranks
from gpu_checks import (DEV, DTYPES, KERNELS, check_chain, check_delta, check_deltas, check_prefill_launch,
                        one_launch_op, random_weights)

pytestmark = requires_gpu

PREFILL = [k for k in KERNELS if k.op == "prefill" and not k.phase]  # add_lora's (the halves: test_gpu_prefill_phases.py)
# h_in in 16-column steps; off the 128-column stages; (16, 8): one chunk each, so a cluster's second block has none
PREFILL_SHAPES = [(4096, 4096), (1040, 1032), (272, 136), (16, 8)]


def _prefill_batch(layout: str, n_lora: int, dtype, seed: int) -> sgmv.LoraBatch:
    if layout == "long":  # long segments off the row tiles, a -1 adapter among them
        sizes, loras = [3001, 17, 1, 2000, 95], [2, -1, 0, 4, 2]
        return sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)
    if layout == "one_row":
        return sgmv.LoraBatch.from_segments([0, 1], [3], device=DEV)
    return Case(rows=700, h_in=8, h_out=8, rank=8, n_lora=n_lora, dtype=dtype, layout=layout, device=DEV,
                seed=seed).batch


@pytest.mark.parametrize("layout", ["long", "negative", "empty", "zipf", "one_row"])
@pytest.mark.parametrize("shape", PREFILL_SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", PREFILL, ids=lambda k: k.name)
def test_prefill_shapes(kernel, shape, layout):
    """The prefill kernel on h_in and h_out off its stages, segments off its row tile, one row, -1 adapters,
    empty segments, per-adapter scales; y past the covered rows untouched."""
    n_lora = 6
    seed = zlib.crc32(f"{kernel.name}{shape}{layout}".encode()) % 1000
    batch = _prefill_batch(layout, n_lora, DTYPES[kernel.dtype], seed)
    check_prefill_launch(kernel, batch, n_lora, *shape, torch.Generator().manual_seed(seed))


def _many_short_segments(n_lora: int, seed: int) -> sgmv.LoraBatch:
    """Over 500 segments (several rounds of the tile walk's scan) of 0-3 rows and a few of 17-40, -1 among the
    adapters."""
    rng = random.Random(seed)
    sizes = [rng.choice([0, 1, 1, 1, 2, 3, 17, 40]) for _ in range(530)]
    loras = [rng.choice(list(range(n_lora)) + [-1]) for _ in sizes]
    return sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)


# Each kernel with every cluster size it takes: 1, 2 and, for the 64-row tile, 4 and 8 (one_launch.prefill_max_cluster)
CLUSTERS = [(k, c) for k in PREFILL for c in (1, 2, 4, 8) if c <= one_launch.prefill_max_cluster(k)]


@pytest.mark.parametrize("layout", ["token_order", "many_segments"])
@pytest.mark.parametrize("blocks", [1, 7])
@pytest.mark.parametrize("kernel, cluster", CLUSTERS, ids=[f"{k.name}-cluster{c}" for k, c in CLUSTERS])
def test_prefill_blocks_walk_many_tiles(kernel, blocks, cluster, layout):
    """Fewer blocks (or clusters of two or four) than row tiles: each walks tiles gridDim.x apart over many segments
    (the stages and their barriers, and a cluster's swaps of v, carry on from tile to tile), with rows in any order
    (row_index), or over hundreds of short segments, empty ones and -1 adapters among them."""
    n_lora = 7
    if layout == "token_order":
        batch = sgmv.LoraBatch.from_token_loras(token_loras(1500, n_lora, blocks), device=DEV)
    else:
        batch = _many_short_segments(n_lora, blocks)
    launch, check = _prefill_on_grid(kernel, batch, n_lora, 528, 264, (blocks, cluster),
                                     torch.Generator().manual_seed(blocks))
    poison_allocator(DEV)
    check(launch())


def _prefill_on_grid(kernel, batch: sgmv.LoraBatch, n_lora: int, h_in: int, h_out: int,
                     grid: Optional[tuple[int, int]], gen: torch.Generator):
    """The prefill `kernel` on `batch` with fresh random weights, x and y from `gen`, on `grid` (walking blocks,
    a cluster's blocks) in place of dispatch's, or on dispatch's where `grid` is None: (launch, check). launch() adds
    into a fresh copy of y and returns it, not waited for; check(*ys) compares launches' outputs with the float64
    reference (y past the covered rows untouched; gpu_checks.check_deltas)."""
    dtype = DTYPES[kernel.dtype]
    rows = int(batch.seg_indptr[-1])
    a, b = random_weights(n_lora, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    rows_ = Rows(*batch.kernel_segments(n_lora), batch.row_index)
    problem = dataclasses.replace(Problem.for_add_lora(y0, x, a, b, n_lora), op="prefill")
    geometry = None if grid is None else dataclasses.replace(
        plan(problem, kernel, 132, clusters=True, resident_blocks=1), grid=(*grid, 1), cluster=grid[1])
    slices = [cuda_ops._slice(a, kernel.rank, h_in, 0), cuda_ops._slice(b, kernel.rank, h_out, 0)]

    def launch() -> torch.Tensor:
        y = y0.clone()
        if geometry is None:
            cuda_ops.add_lora(y, x, [a], [b], rows_, None, 0.5, fused=kernel)
            return y
        params = cuda_ops._params(rows_, None, 0.5, slices, geometry, x=x.data_ptr(), y=y.data_ptr(),
                                  ld_x=x.stride(0), ld_y=y.stride(0), num_rows=rows, num_loras=n_lora)
        loader.launch(kernel, geometry, params, x)
        return y
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    untouched = ~covered_rows(batch, rows, n_lora).to(DEV)
    return launch, lambda *ys: check_deltas(ys, y0, want, dtype, untouched)


HANG_GRIDS = [(k, g) for k in PREFILL for g in (None, (7, 2), (7, 4), (7, 8))
              if g is None or g[1] <= one_launch.prefill_max_cluster(k)]


# (rows, adapters) of mid-size batches, by the cluster size the 64-row tile takes for them on an H200: 16-22 row tiles
# (more than one wave of clusters of 8 holds) in clusters of 4, 8-15 in clusters of 8; 1, 2 and 5 segments, an
# empty segment and a -1 adapter among the 5.
MID_SIZE_BATCHES = {4: [([1000], [2]), ([600, 455], [1, 3]), ([300, 0, 411, 77, 312], [0, 4, -1, 2, 5])],
                    8: [([500], [2]), ([300, 255], [1, 3]), ([200, 0, 211, 77, 212], [0, 4, -1, 2, 5])]}
MID_SIZE = [(c, i) for c, batches in MID_SIZE_BATCHES.items() for i in range(len(batches))]


@pytest.mark.parametrize("cluster, which", MID_SIZE, ids=[f"cluster{c}-{i}" for c, i in MID_SIZE])
@pytest.mark.parametrize("kernel", [k for k in PREFILL if one_launch.prefill_max_cluster(k) == 8
                                    and k.rank >= one_launch.PREFILL_QUAD_MIN_RANK], ids=lambda k: k.name)
def test_prefill_mid_size_batches_launch_clusters_of_four_and_eight(kernel, cluster, which, monkeypatch):
    """A batch of a few 64-row tiles: the 64-row tile of ranks from 32 launches clusters of four or eight there
    (one_launch.prefill_tall_sizes: one wave of them, adapters of 2**18 elements and more; entries 319, 324 and 327),
    each block a quarter (an eighth) of h_in's and h_out's chunks, v summed in two (three) rounds of swaps; h_in and
    h_out off the stages, so the last blocks' shares are narrow. Clusters of 8 with their switch on, whatever
    dispatch's default. (Every 64-row kernel in clusters of four and eight on a grid of its own: the walk and hang
    tests.)"""
    monkeypatch.setattr(one_launch, "PREFILL_OCTET", 1)
    rows, loras = MID_SIZE_BATCHES[cluster][which]
    segments = len(rows)
    h_in, h_out = 4240, 4040
    batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(rows)], loras, device=DEV)
    launch, check = _prefill_on_grid(kernel, batch, 6, h_in, h_out, None, torch.Generator().manual_seed(segments))
    problem = Problem("prefill", kernel.dtype, kernel.rank, h_in, sum(rows), segments, True, (h_out,),
                      (kernel.rank,), max(rows))
    assert plan(problem, kernel, 132, clusters=True, resident_blocks=1,
                resident_clusters=loader.device(0).resident_clusters).cluster == cluster
    poison_allocator(DEV)
    check(launch())


@pytest.mark.parametrize("kernel, grid", HANG_GRIDS,
                         ids=[f"{k.name}-{'x'.join(map(str, g)) if g else 'dispatch'}" for k, g in HANG_GRIDS])
def test_prefill_cluster_swaps_never_hang(kernel, grid):
    """NOTES entries 174-175: long segments with narrow last chunks of h_in and h_out, on dispatch's grid and on 7
    clusters of two (and of four and eight, the 64-row tile's two and three rounds of swaps, entries 319 and 327) over
    many tiles each (a swap of v a tile), launched 100 times back to back: every launch ends and matches. Rank 8's 16-row tile hung within 0-66
    launches on dispatch's grid while its warps that push no part of v still waited for the partner's read of the
    last push."""
    launch, check = _prefill_on_grid(kernel, _prefill_batch("long", 6, DTYPES[kernel.dtype], 0), 6, 1040, 1032,
                                     grid, torch.Generator().manual_seed(174))
    launches = 100
    outputs = [launch() for _ in range(launches)]
    done = torch.cuda.Event()
    done.record()
    deadline = time.monotonic() + 60
    while not done.query():
        if time.monotonic() > deadline:
            print(f"\n{kernel.name}: {launches} launches have not ended after 60 s", file=sys.stderr, flush=True)
            pytest.fail(f"{kernel.name}: {launches} launches have not ended after 60 s (a wait that never returns)")
        time.sleep(0.01)
    check(*outputs)


# (rows, h_in = h_out, layout, adapters): long segments with a 64-row tile for each of an H200's 132 SMs, 128
# one-row segments (the 16-row tile, one wave at every rank), and a skewed batch (one segment of 102 rows among ~45 of
# 1-8: the 16-row tile, a long segment over several of its tiles; entry 139).
PREFILL_CHAINS = {"long": (8448, 1024, "uniform", 4), "distinct": (128, 1040, "distinct", 40),
                  "skewed": (256, 4096, "skewed", 48)}


@pytest.mark.parametrize("graph", [False, True], ids=["eager", "graph"])
@pytest.mark.parametrize("batch", PREFILL_CHAINS)
def test_prefill_is_chosen_and_chains(batch, graph):
    """The public op takes the prefill kernel on sm_90 for long segments, many one-row segments and skewed ones; each
    call's x is the previous call's y (the kernel waits for the previous one before its first copy), eager and
    under graph replay."""
    if loader.device(0).arch < 90:
        pytest.skip("the prefill kernel needs sm_90 (its barriers' waits)")
    rows, hidden, layout, n_lora = PREFILL_CHAINS[batch]
    cases = [Case(rows=rows, h_in=hidden, h_out=hidden, rank=rank, n_lora=n_lora, dtype=torch.bfloat16,
                  layout=layout, device=DEV, seed=40 + i) for i, rank in enumerate((16, 64, 32))]
    for c in cases:
        problem = Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments, c.batch.max_segment_rows)
        assert one_launch_op(problem) == "prefill"
    start = torch.randn(rows, hidden, generator=torch.Generator().manual_seed(6)).to(torch.bfloat16).to(DEV)
    check_chain(cases, start, graph, n_lora=n_lora)


@pytest.mark.parametrize("rank", [16, 32, 64])
@pytest.mark.parametrize("batch", PREFILL_CHAINS)
def test_prefill_takes_true_ranks(batch, rank):
    """Mixed true ranks through the public op on batches the prefill kernel takes (long segments, one-row
    segments): its variant for true ranks runs them, never reads the NaN padding past a rank, matches the
    zero-padded weights, and leaves the rows of a rank-0 adapter exactly as they were (NOTES.md, entry 98)."""
    if loader.device(0).arch < 90:
        pytest.skip("the prefill kernel needs sm_90 (its barriers' waits)")
    rows, hidden, layout, _ = PREFILL_CHAINS[batch]
    n_lora = 6
    dtype = torch.float16 if rank == 32 else torch.bfloat16
    c = Case(rows=rows, h_in=hidden, h_out=hidden, rank=rank, n_lora=n_lora, dtype=dtype, layout=layout, device=DEV,
             seed=rank)
    ranks = true_ranks(n_lora, rank, rank + rows)
    problem = Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments, c.batch.max_segment_rows,
                                   true_ranks=True)
    kernel = cuda_ops._installed_one_launch_kernel(problem, 0)
    assert kernel is not None and kernel.op == "prefill" and kernel.true_ranks
    a, b = c.lora_a.clone(), c.lora_b.clone()
    poison_past_rank(a, b, ranks)
    zero_a, zero_b = c.lora_a.clone(), c.lora_b.clone()
    for lora, k in enumerate(ranks.tolist()):
        zero_a[lora, k:] = 0
        zero_b[lora, :, k:] = 0
    poison_allocator(DEV)
    y = c.y.clone()
    sgmv.add_lora(y, c.x, a, b, c.batch, scale=0.5, ranks=ranks.to(DEV))
    want = reference.add_lora_delta(c.x, zero_a, zero_b, c.batch, 0.5, compute_dtype=torch.float64)
    rank_zero = torch.zeros(rows, dtype=torch.bool)
    for segment_rows, lora in reference._active_segments(c.batch, rows, n_lora):
        rank_zero[segment_rows] = bool(ranks[lora] == 0)
    assert rank_zero.any(), "the batch has rows of the rank-0 adapter"
    check_delta(y, c.y, want, dtype, (~covered_rows(c.batch, rows, n_lora) | rank_zero).to(DEV))
