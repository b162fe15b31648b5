"""Every compiled kernel on the GPU through its own launch (the per-kernel tests: rows in any order, output slices,
true ranks, pipelined column tiles, split partials), against a float64 reference on fresh random data.

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import random
import zlib

import pytest
import torch

import sgmv
from sgmv import cuda_ops, dispatch, launch_plan, loader, reference
from sgmv.cuda_ops import Rows
from sgmv.dispatch import Problem
from sgmv.launch_plan import plan
from conftest import (EMULATE, TOLERANCE, Case, covered_rows, poison_allocator, poison_past_rank, rel_error,
                      requires_gpu, token_loras, true_ranks)
from gpu_checks import DEV, DTYPES, KERNELS, check_delta, random_weights

pytestmark = requires_gpu


def _shape_for(kernel) -> tuple[int, int]:
    """(rank, hidden) that this kernel serves: its own, or off-grid sizes for the generic kernels (for the prefill
    kernel an h_in in whole 16-column steps, off its 128-column stages)."""
    rng = random.Random(kernel.name)
    rank = kernel.rank or (rng.choice([24, 40, 72, 136]) if kernel.vectorized else rng.choice([1, 5, 13, 67]))
    if kernel.hidden:
        return rank, kernel.hidden
    if kernel.op == "prefill":
        return rank, rng.choice([1040, 1552, 272])
    return rank, (rng.choice([1000, 1032, 1544]) if kernel.vectorized else rng.choice([999, 1001, 130]))



@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
def test_kernel(kernel):
    """One compiled kernel on ~300 rows mixing long, short and empty segments and -1 adapters, with the
    longest segment known on the host (per-segment row groups unless it is longer than they serve; the rows
    in any order test below leaves it unknown: flat row tiles)."""
    dtype = DTYPES[kernel.dtype]
    rank, hidden = _shape_for(kernel)
    other = 1032 if kernel.vectorized else 1001  # the dimension this kernel does not specialize
    h_in, h_out = (other, hidden) if kernel.op == "expand" else (hidden, other)
    case = Case(rows=311, h_in=h_in, h_out=h_out, rank=rank, n_lora=5, dtype=dtype, layout="negative",
                device=DEV, seed=zlib.crc32(kernel.name.encode()) % 1000)
    b = case.batch
    poison_allocator(DEV)
    op = kernel.phase or kernel.op  # a prefill half (prefill_phases) runs its standalone op
    if op in ("fused", "prefill", "gemv"):
        y = case.y.clone()
        rows = Rows(b.seg_indptr, b.lora_indices, max_segment_rows=b.max_segment_rows)
        problem = Problem.for_add_lora(y, case.x, case.lora_a, case.lora_b, b.num_segments, b.max_segment_rows)
        if (kernel.op == "fused" and dispatch.uses_handoff(problem, kernel)
                and dispatch.handoff_grid(problem, kernel, loader.device(0).num_sms,
                                                       loader.device(0).resident_blocks(kernel)) is None):
            # a block per row tile of every segment: more than the GPU holds at once (test_fused_kernel_with_the_
            # grid_handoff runs this kernel on batches that fit)
            with pytest.raises(sgmv.UnsupportedError, match="grid handoff"):
                cuda_ops.add_lora(y, case.x, [case.lora_a], [case.lora_b], rows, case.scales, 0.75, fused=kernel)
            case = Case(rows=40, h_in=h_in, h_out=h_out, rank=rank, n_lora=5, dtype=dtype, layout="negative",
                        device=DEV, seed=zlib.crc32(kernel.name.encode()) % 1000)
            b, y = case.batch, case.y.clone()
            rows = Rows(b.seg_indptr, b.lora_indices, max_segment_rows=b.max_segment_rows)
        cuda_ops.add_lora(y, case.x, [case.lora_a], [case.lora_b], rows, case.scales, 0.75, fused=kernel)
        want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, b, 0.75, case.scales,
                                        compute_dtype=torch.float64)
        check_delta(y, case.y, want, dtype, ~covered_rows(b, case.rows, 5).to(DEV))
    elif op == "shrink":
        v = torch.zeros(case.rows, rank, device=DEV)
        cuda_ops.shrink_into(v, case.x, [case.lora_a], Rows(b.seg_indptr, b.lora_indices,
                                                            max_segment_rows=b.max_segment_rows), None, 0.75,
                             kernel=kernel)
        want = reference.shrink(case.x, case.lora_a, b, 0.75, compute_dtype=torch.float64)
        assert rel_error(v, want) < TOLERANCE[dtype] / 4
    else:
        v = torch.randn(case.rows, rank, device=DEV)
        y = case.y.clone()
        cuda_ops.expand(y, v, [case.lora_b], Rows(b.seg_indptr, b.lora_indices, max_segment_rows=b.max_segment_rows),
                        case.scales, 0.75, kernel=kernel)
        want = reference.expand_delta(v, case.lora_b, b, 0.75, case.scales, compute_dtype=torch.float64)
        check_delta(y, case.y, want, dtype, ~covered_rows(b, case.rows, 5).to(DEV))
    torch.cuda.synchronize()


def _slice_shapes(kernel, rank: int, hidden: int) -> tuple[list[int], list[int]]:
    """Two output slices this kernel can serve together: (ranks, h_outs) for expand, (ranks, -) for shrink.
    The second slice has a lower rank (the expand's specialized ranks take only their own); the expand's
    slices differ in h_out unless the kernel fixes it."""
    if kernel.op == "shrink":
        return [rank, max(1, rank // 2)], []
    r2 = kernel.rank or (max(8, rank // 2 // 8 * 8) if kernel.vectorized else max(1, rank // 2))
    h2 = kernel.hidden or (520 if kernel.vectorized else 77)
    return [rank, min(r2, rank)], [hidden, h2]


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
def test_kernel_rows_in_any_order_slices_and_true_ranks(kernel):
    """One compiled kernel on rows in random order (from_token_loras, with -1 and out-of-range adapters), two
    output slices in one launch, and true ranks below the stacked rank (0, 1, off a multiple of 8) whose
    padding is NaN: the kernels read and write every row in place and never touch the padding."""
    dtype = DTYPES[kernel.dtype]
    rank, hidden = _shape_for(kernel)
    other = 1032 if kernel.vectorized else 1001
    n_lora, rows = 5, 203
    seed = zlib.crc32(kernel.name.encode()) % 991
    gen = torch.Generator().manual_seed(seed)
    batch = sgmv.LoraBatch.from_token_loras(token_loras(rows, n_lora, seed), device=DEV)
    ranks = true_ranks(n_lora, rank, seed)
    slice_ranks, slice_hidden = _slice_shapes(kernel, rank, hidden)
    h_in = hidden if kernel.op == "shrink" else other
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    rows_ = Rows(*batch.kernel_segments(n_lora), batch.row_index, ranks.to(DEV))
    untouched = ~covered_rows(batch, rows, n_lora).to(DEV)
    poison_allocator(DEV)
    if kernel.phase:  # a prefill half: one slice, every adapter at its rank (its rows in any order:
        # test_gpu_prefill_phases.py); refused with true ranks or two slices
        v = torch.zeros(rows, sum(slice_ranks), device=DEV)
        a, b = random_weights(n_lora, rank, hidden, 1000, dtype, gen)
        for call in (lambda: cuda_ops.shrink_into(v, x, [a], rows_, None, 0.75, kernel=kernel),
                     lambda: cuda_ops.expand(torch.zeros(rows, 1000, dtype=dtype, device=DEV), v[:, :rank], [b],
                                             rows_, None, 0.75, kernel=kernel)):
            with pytest.raises(sgmv.UnsupportedError, match="cannot run"):
                call()
        return
    if kernel.op in ("fused", "prefill", "gemv"):  # one output slice: these kernels serve single-slice calls
        a, b = random_weights(n_lora, rank, hidden, 1000, dtype, gen)
        x = torch.randn(rows, hidden, generator=gen).to(dtype).to(DEV)
        y0 = torch.randn(rows, 1000, generator=gen).to(dtype).to(DEV)
        y = y0.clone()
        if kernel.op in ("prefill", "gemv") and not kernel.true_ranks:  # every adapter at the full rank: refused
            with pytest.raises(sgmv.UnsupportedError, match="no true ranks"):
                cuda_ops.add_lora(y, x, [a], [b], rows_, None, 0.75, fused=kernel)
            rows_, ranks = dataclasses.replace(rows_, ranks=None), None
        else:
            poison_past_rank(a, b, ranks)
        cuda_ops.add_lora(y, x, [a], [b], rows_, None, 0.75, fused=kernel)
        want = reference.add_lora_delta(x, a, b, batch, 0.75, compute_dtype=torch.float64, ranks=ranks)
        check_delta(y, y0, want, dtype, untouched)
    elif kernel.op == "shrink":
        lora_a = [(torch.randn(n_lora, r, h_in, generator=gen) / h_in ** 0.5).to(dtype).to(DEV) for r in slice_ranks]
        for a in lora_a:
            poison_past_rank(a, None, ranks)
        v = torch.zeros(rows, sum(slice_ranks), device=DEV)
        cuda_ops.shrink_into(v, x, lora_a, rows_, None, 0.75, kernel=kernel)
        want = reference.shrink(x, lora_a, batch, 0.75, compute_dtype=torch.float64, ranks=ranks)
        assert rel_error(v, want) < TOLERANCE[dtype] / 4
        assert not v[untouched].any(), "rows without an adapter stay zero"
    else:
        lora_b = [(torch.randn(n_lora, h, r, generator=gen) / r ** 0.5).to(dtype).to(DEV)
                  for r, h in zip(slice_ranks, slice_hidden)]
        for b in lora_b:
            poison_past_rank(None, b, ranks)
        v = torch.randn(rows, sum(slice_ranks), generator=gen).to(DEV)
        y0 = torch.randn(rows, sum(slice_hidden), generator=gen).to(dtype).to(DEV)
        y = y0.clone()
        cuda_ops.expand(y, v, lora_b, rows_, None, 0.75, kernel=kernel)
        want = reference.expand_delta(v, lora_b, batch, 0.75, compute_dtype=torch.float64, ranks=ranks)
        check_delta(y, y0, want, dtype, untouched)
    torch.cuda.synchronize()


PIPELINED = [k for k in KERNELS if k.pipelined]


@pytest.mark.parametrize("per_block", [3, 1 << 16], ids=["3-tiles", "all-tiles"])
@pytest.mark.parametrize("kernel", PIPELINED, ids=lambda k: k.name)
def test_pipelined_expand_streams_column_tiles(kernel, per_block, monkeypatch):
    """The per-kernel tests again with every pipelined block streaming several column tiles through its
    shared-memory stages: 3 (runs that end inside a slice and cross into the next one) or every tile of its
    row tile (all slices). The launch's own choice keeps one tile per block at these small sizes."""
    monkeypatch.setattr(launch_plan, "col_tiles_per_block", lambda tiles, rows, sms: min(tiles, per_block))
    test_kernel(kernel)
    test_kernel_rows_in_any_order_slices_and_true_ranks(kernel)
    test_kernel_split_partials(kernel, 1)


SPLIT_CASES = [(k, c) for k in KERNELS if k.op in ("shrink", "expand") for c in ((1, 2) if k.op == "shrink" else (1,))]


@pytest.mark.parametrize("kernel, cluster", SPLIT_CASES, ids=[f"{k.name}-cluster{c}" for k, c in SPLIT_CASES])
def test_kernel_split_partials(kernel, cluster):
    """The add_lora path of one kernel: the shrink stores 3 split-K slices (each from `cluster` splits
    reduced through distributed shared memory; clusters are a shrink feature), the expand sums them."""
    dtype = DTYPES[kernel.dtype]
    rank, hidden = _shape_for(kernel)
    other = 1032 if kernel.vectorized else 1001
    h_in, h_out = (hidden, other) if kernel.op == "shrink" else (other, hidden)
    case = Case(rows=150, h_in=h_in, h_out=h_out, rank=rank, n_lora=4, dtype=dtype, layout="empty", device=DEV,
                seed=zlib.crc32(kernel.name.encode()) % 997)
    b = case.batch
    splits = 3
    v = torch.full((splits, case.rows, rank), float("nan"), device=DEV)
    rows_ = Rows(b.seg_indptr, b.lora_indices)
    extra = dict(num_rows=case.rows, num_loras=4, partials=1, split_stride=case.rows * rank)
    sms = loader.device(0).num_sms
    if kernel.op == "shrink":
        problem = Problem.for_shrink(case.x, [case.lora_a], b.num_segments)
        geometry = plan(problem, kernel, sms)
        n_chunks = geometry.grid[1] // geometry.k_splits
        geometry = dataclasses.replace(geometry, grid=(geometry.grid[0], splits * cluster * n_chunks, geometry.grid[2]),
                                       k_splits=splits * cluster, cluster=cluster)
        params = cuda_ops._params(rows_, None, 1.0, cuda_ops._shrink_slices([case.lora_a], 0), geometry,
                                  x=case.x.data_ptr(),
                                  y=v.data_ptr(), ld_x=case.x.stride(0), ld_y=rank, k_splits=splits * cluster,
                                  cluster_splits=cluster, **extra)
        loader.launch(kernel, geometry, params, case.x)
        rows = covered_rows(b, case.rows, 4).to(DEV)
        want = reference.shrink(case.x, case.lora_a, b, compute_dtype=torch.float64)
        assert not v[:, rows].isnan().any(), "every split wrote its slice of the covered rows"
        assert rel_error(v.sum(0)[rows], want[rows]) < TOLERANCE[dtype] / 4
    else:
        parts = torch.randn(splits, case.rows, rank, device=DEV)
        y = case.y.clone()
        geometry = plan(Problem.for_expand(y, parts[0], [case.lora_b], b.num_segments), kernel, sms)
        params = cuda_ops._params(rows_, None, 0.5, cuda_ops._expand_slices([case.lora_b], 0, 0, geometry), geometry,
                                  x=parts.data_ptr(), y=y.data_ptr(), ld_x=rank, ld_y=y.stride(0), k_splits=splits,
                                  **extra)
        loader.launch(kernel, geometry, params, y)
        want = reference.expand_delta(parts.sum(0), case.lora_b, b, 0.5, compute_dtype=torch.float64)
        check_delta(y, case.y, want, dtype, ~covered_rows(b, case.rows, 4).to(DEV))


CAPPED = [k for k in KERNELS if k.occupancy_cap]


@pytest.mark.parametrize("kernel", CAPPED, ids=lambda k: k.name)
def test_occupancy_cap_holds_in_the_driver(kernel):
    """A kernel with an occupancy cap (codegen's KernelSpec.occupancy_cap, NOTES entry 267): once loaded (its
    shared-memory carveout set) the driver itself places no more blocks an SM than the cap, and the launch plans count
    exactly the cap."""
    if EMULATE:
        pytest.skip("the driver's own count of blocks an SM (SGMV_EMULATE has none)")
    dev = loader.device(torch.cuda.current_device())
    placed = dev.driver_blocks(kernel)
    assert placed == kernel.occupancy_cap == dev.resident_blocks(kernel)
