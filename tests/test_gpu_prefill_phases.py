"""The standalone shrink and expand on tall batches (the 64-row prefill tile's halves, prefill.cuh's kPhase;
sgmv/prefill_phases.py) on the GPU: every half on shapes off its stages and row tiles, -1 adapters, empty segments,
rows in any order, per-adapter scales, on dispatch's grid and on grids of fewer blocks (clusters of 1 to 8) walking
many tiles; dispatch's choice of them through the public ops, also under CUDA-graph replay; against a float64
reference on fresh random data, v poisoned with NaN before the shrink so that a row it should write and did not shows.

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import itertools
import zlib

import pytest
import torch

import sgmv
from sgmv import cuda_ops, loader, one_launch, prefill_phases, reference
from sgmv.cuda_ops import Rows
from sgmv.dispatch import Problem
from sgmv.launch_plan import plan
from conftest import EMULATE, TOLERANCE, covered_rows, poison_allocator, rel_error, requires_gpu, token_loras
from gpu_checks import DEV, DTYPES, KERNELS, check_delta, random_weights

pytestmark = requires_gpu

HALVES = [k for k in KERNELS if k.op == "prefill" and k.phase]
SHRINK_HALVES = [k for k in HALVES if k.phase == "shrink"]
EXPAND_HALVES = [k for k in HALVES if k.phase == "expand"]
# (h_in or h_out): off the 128-column stages, and one chunk (a cluster's other blocks have none)
WIDTHS = [4096, 1040, 16]


def _batch(layout: str, n_lora: int, seed: int) -> sgmv.LoraBatch:
    if layout == "long":  # segments off the 64-row tile, a -1 adapter and an empty segment among them
        sizes, loras = [1001, 17, 0, 1, 700, 95], [2, -1, 3, 0, 4, 2]
        return sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)
    if layout == "token_order":  # rows in any order (row_index)
        return sgmv.LoraBatch.from_token_loras(token_loras(900, n_lora, seed), device=DEV)
    if layout == "one_row":
        return sgmv.LoraBatch.from_segments([0, 1], [3], device=DEV)
    raise ValueError(layout)


def _grid(kernel, problem: Problem, grid):
    """The prefill plan of the half on `problem` (phase_problem's), or with `grid` (walking clusters, blocks a
    cluster) in its place."""
    geometry = plan(prefill_phases.phase_problem(problem), kernel, 132, clusters=True, resident_blocks=1)
    return geometry if grid is None else dataclasses.replace(geometry, grid=(*grid, 1), cluster=grid[1])


def _run_shrink(kernel, batch, n_lora, h_in, seed, grid=None, scales=None):
    """The shrink half on `batch` (x and A fresh from `seed`), v poisoned with NaN first: (v, reference v, rows the
    half must leave alone)."""
    gen = torch.Generator().manual_seed(seed)
    dtype = DTYPES[kernel.dtype]
    rows = int(batch.seg_indptr[-1])
    a, _ = random_weights(n_lora, kernel.rank, h_in, 8, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    v = torch.full((rows, kernel.rank), float("nan"), device=DEV)
    rows_ = Rows(*batch.kernel_segments(n_lora), batch.row_index)
    if grid is None:
        cuda_ops.shrink_into(v, x, [a], rows_, scales, 0.5, kernel=kernel)
    else:
        geometry = _grid(kernel, Problem.for_shrink(x, [a], n_lora), grid)
        slices = [cuda_ops._slice(a, kernel.rank, h_in, 0), cuda_ops.other_half_slice(kernel.rank)]
        params = cuda_ops._params(rows_, scales, 0.5, slices,
                                  geometry, x=x.data_ptr(), y=v.data_ptr(), ld_x=x.stride(0), ld_y=v.stride(0),
                                  num_rows=rows, num_loras=n_lora)
        loader.launch(kernel, geometry, params, x)
    want = reference.shrink(x, a, batch, 0.5, scales, compute_dtype=torch.float64)
    return v, want, ~covered_rows(batch, rows, n_lora).to(DEV)


def _check_shrink(v, want, untouched, dtype):
    covered = ~untouched
    assert not torch.isnan(v[covered]).any(), "rows of v the shrink half left unwritten"
    assert torch.isnan(v[untouched]).all(), "rows without an adapter written"
    err = rel_error(v[covered], want.to(v.device)[covered])
    assert err < TOLERANCE[dtype], f"relative error {err:.2e} >= {TOLERANCE[dtype]:.0e}"


def _run_expand(kernel, batch, n_lora, h_out, seed, grid=None, scales=None):
    """The expand half on `batch` (v, B and y fresh from `seed`), checked against the float64 reference."""
    gen = torch.Generator().manual_seed(seed)
    dtype = DTYPES[kernel.dtype]
    rows = int(batch.seg_indptr[-1])
    _, b = random_weights(n_lora, kernel.rank, 16, h_out, dtype, gen)
    v = torch.randn(rows, kernel.rank, generator=gen).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    y = y0.clone()
    rows_ = Rows(*batch.kernel_segments(n_lora), batch.row_index)
    poison_allocator(DEV)
    if grid is None:
        cuda_ops.expand(y, v, [b], rows_, scales, 0.5, kernel=kernel)
    else:
        geometry = _grid(kernel, Problem.for_expand(y, v, [b], n_lora), grid)
        slices = [cuda_ops.other_half_slice(kernel.rank), cuda_ops._slice(b, kernel.rank, h_out, 0)]
        params = cuda_ops._params(rows_, scales, 0.5, slices,
                                  geometry, x=v.data_ptr(), y=y.data_ptr(), ld_x=v.stride(0), ld_y=y.stride(0),
                                  num_rows=rows, num_loras=n_lora)
        loader.launch(kernel, geometry, params, y)
    want = reference.expand_delta(v, b, batch, 0.5, scales, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))


@pytest.mark.parametrize("layout", ["long", "token_order", "one_row"])
@pytest.mark.parametrize("h_in", WIDTHS)
@pytest.mark.parametrize("kernel", SHRINK_HALVES, ids=lambda k: k.name)
def test_shrink_half(kernel, h_in, layout):
    """The shrink half stores scale * x @ A[l].T into every row of an adapter's segments and no other, on h_in off its
    stages, segments off its row tile, rows in any order, one row."""
    seed = zlib.crc32(f"{kernel.name}{h_in}{layout}".encode()) % 1000
    v, want, untouched = _run_shrink(kernel, _batch(layout, 6, seed), 6, h_in, seed)
    _check_shrink(v, want, untouched, DTYPES[kernel.dtype])


@pytest.mark.parametrize("layout", ["long", "token_order", "one_row"])
@pytest.mark.parametrize("h_out", WIDTHS)
@pytest.mark.parametrize("kernel", EXPAND_HALVES, ids=lambda k: k.name)
def test_expand_half(kernel, h_out, layout):
    """The expand half adds scale * v @ B[l].T into every row of an adapter's segments and leaves the others, on h_out
    off its stages, segments off its row tile, rows in any order, one row."""
    seed = zlib.crc32(f"{kernel.name}{h_out}{layout}".encode()) % 1000
    _run_expand(kernel, _batch(layout, 6, seed), 6, h_out, seed)


GRIDS = [(k, g) for k in HALVES for g in ((1, 1), (3, 2), (3, 4), (2, 8))
         if g[1] <= one_launch.prefill_max_cluster(k)]


@pytest.mark.parametrize("kernel, grid", GRIDS, ids=[f"{k.name}-{g[0]}x{g[1]}" for k, g in GRIDS])
def test_halves_walk_many_tiles_in_clusters(kernel, grid):
    """Fewer clusters than row tiles, each walking many tiles (the stages and, in the shrink, the swaps of v carry on
    from tile to tile), in clusters of 1 to 8 whose blocks split h_in (the shrink: its v summed by the swaps) or
    h_out (the expand), with per-adapter scales."""
    n_lora = 5
    scales = torch.rand(n_lora, generator=torch.Generator().manual_seed(7)).to(DEV) + 0.5
    batch = _batch("long", n_lora, 3)
    if kernel.phase == "shrink":
        v, want, untouched = _run_shrink(kernel, batch, n_lora, 2064, 11, grid, scales)
        _check_shrink(v, want, untouched, DTYPES[kernel.dtype])
    else:
        _run_expand(kernel, batch, n_lora, 2072, 11, grid, scales)


@pytest.mark.parametrize("graph", [False, True])
@pytest.mark.parametrize("rank", sorted({k.rank for k in HALVES}))
def test_public_ops_take_the_halves_on_tall_batches(rank, graph):
    """sgmv.shrink and sgmv.expand on a tall batch run the halves (dispatch: prefill_phases.phase_kernel), on a short
    one the shrink and expand kernels, and both match the reference, also replayed from a CUDA graph."""
    if graph and EMULATE:
        pytest.skip("no CUDA graphs in the emulation")
    dtype = torch.bfloat16
    gen = torch.Generator().manual_seed(rank)
    n_lora, h_in, h_out = 4, 1024, 1032
    a, b = random_weights(n_lora, rank, h_in, h_out, dtype, gen)
    rows = prefill_phases.PHASE_MIN_ROWS["shrink"] + 100  # tall enough for both halves at every rank
    batch = sgmv.LoraBatch.from_segments([0, 2100, 2100, rows], [1, 0, 3], device=DEV)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    for problem in (Problem.for_shrink(x, [a], 3), Problem.for_expand(y0, x[:, :rank].float(), [b], 3)):
        assert cuda_ops._installed_phase_kernel(problem, x.device.index).phase == problem.op
        short = dataclasses.replace(problem, num_rows=prefill_phases.PHASE_WIDE_MIN_ROWS - 1)
        assert cuda_ops._installed_phase_kernel(short, x.device.index) is None
    y = y0.clone()

    def call():
        v = sgmv.shrink(x, a, batch, scale=0.5)
        sgmv.expand(y, v, b, batch, scale=2.0)
        return v
    if graph:
        call()  # loads the kernels
        y.copy_(y0)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            v = call()
        y.copy_(y0)
        g.replay()
        torch.cuda.synchronize()
    else:
        v = call()
    want_v = reference.shrink(x, a, batch, 0.5, compute_dtype=torch.float64)
    assert rel_error(v.double(), want_v.to(v.device)) < TOLERANCE[dtype]
    want = reference.expand_delta(v, b, batch, 2.0, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))


def test_an_odd_column_of_v_keeps_the_old_kernels(monkeypatch):
    """Five output slices: the second launch group (cuda_ops.PAIR_SLICES a launch) is one rank-64 slice on a tall batch, which
    the halves would take, but it starts at an odd column of v (ranks 8, 8, 8, 5 before it; v's rows of 93 floats),
    and the halves read and write v in 8-byte pairs (cuda_ops.v_in_pairs): it runs the shrink and expand kernels, and
    both ops match the reference."""
    launched = []
    real = loader.launch
    monkeypatch.setattr(loader, "launch", lambda kernel, *a, **k: (launched.append(kernel), real(kernel, *a, **k)))
    dtype, n_lora, rows, h = torch.bfloat16, 3, 1100, 1024
    gen = torch.Generator().manual_seed(5)
    ranks = [8, 8, 8, 5, 64]
    a = [(torch.randn(n_lora, r, h, generator=gen) / h ** 0.5).to(dtype).to(DEV) for r in ranks]
    b = [(torch.randn(n_lora, h, r, generator=gen) / r ** 0.5).to(dtype).to(DEV) for r in ranks]
    batch = sgmv.LoraBatch.from_segments([0, 600, rows], [2, 0], device=DEV)
    x = torch.randn(rows, h, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h * len(ranks), generator=gen).to(dtype).to(DEV)
    alone = Problem.for_shrink(x, [a[-1]], 2)
    assert cuda_ops._installed_phase_kernel(alone, x.device.index) is not None  # the slice alone would take it
    v = sgmv.shrink(x, tuple(a), batch, scale=0.5)
    y = sgmv.expand(y0.clone(), v, tuple(b), batch, scale=2.0)
    assert launched and not any(k.phase for k in launched), [k.name for k in launched]
    assert rel_error(v, reference.shrink(x, a, batch, 0.5, compute_dtype=torch.float64)) < TOLERANCE[dtype]
    want = reference.expand_delta(v, b, batch, 2.0, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))
    even = torch.zeros(8, 64, device=DEV)
    assert cuda_ops.v_in_pairs(even, 0) and not cuda_ops.v_in_pairs(even, 29) and not cuda_ops.v_in_pairs(v, 0)
    assert not cuda_ops.v_in_pairs(even[:, 1:], 0) and not cuda_ops.v_in_pairs(even.t(), 0)
