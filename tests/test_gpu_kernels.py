"""Every compiled kernel and the public ops on the GPU, against a float64 reference on fresh random data.

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import itertools
import math
import random
import zlib

import pytest
import torch

import sgmv
from sgmv import cuda_ops, dispatch, loader, manifest, reference
from sgmv.cuda_ops import Rows
from sgmv.dispatch import Problem, plan
from conftest import (LAYOUTS, TOLERANCE, Case, covered_rows, make_layout, output_rounding, poison_allocator,
                      poison_past_rank, rel_error, requires_gpu, token_loras, true_ranks)

pytestmark = requires_gpu
DEV = "cuda"
KERNELS = manifest.load().kernels
DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


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


def check_delta(y_out, y_in, want_delta, dtype, untouched_rows, roundings: int = 1):
    """roundings: how many times the op rounds y to its dtype (two where add_lora runs as two half-rank launches)."""
    err = rel_error(y_out.double() - y_in.double(), want_delta)
    allowed = TOLERANCE[dtype] + roundings * output_rounding(y_out, want_delta)
    assert err < allowed, f"relative error {err:.2e} >= {allowed:.2e} ({TOLERANCE[dtype]:.0e} and y's rounding)"
    assert torch.equal(y_out[untouched_rows], y_in[untouched_rows]), "rows without an adapter changed"


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
    if kernel.op in ("fused", "prefill"):
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
    elif kernel.op == "shrink":
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
    if kernel.op in ("fused", "prefill"):  # one output slice: these kernels serve single-slice calls
        a, b = _weights(n_lora, rank, hidden, 1000, dtype, gen)
        x = torch.randn(rows, hidden, generator=gen).to(dtype).to(DEV)
        y0 = torch.randn(rows, 1000, generator=gen).to(dtype).to(DEV)
        y = y0.clone()
        if kernel.op == "prefill" and not kernel.true_ranks:  # every adapter at the full rank: ranks refused
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
    monkeypatch.setattr(dispatch, "col_tiles_per_block", lambda tiles, rows, sms: min(tiles, per_block))
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


SHAPES = [  # (h_in, h_out, rank): grid shapes, off-grid aligned, unaligned
    (4096, 4096, 16), (2048, 5120, 64), (14336, 4096, 8), (1000, 1032, 24), (1001, 999, 5), (256, 136, 136)]


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("rows", [1, 17, 64, 311])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_add_lora(shape, rows, layout, dtype):
    h_in, h_out, rank = shape
    case = Case(rows=rows, h_in=h_in, h_out=h_out, rank=rank, n_lora=6, dtype=dtype, layout=layout, device=DEV,
                seed=rows + h_in + rank)
    poison_allocator(DEV)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, case.y, want, dtype, ~covered_rows(case.batch, case.rows, 6).to(DEV))


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("layout", ["distinct", "uniform", "zipf", "negative", "empty"])
@pytest.mark.parametrize("rows", [1, 17, 311])
@pytest.mark.parametrize("shape", [(4096, 4096, 16), (2048, 5120, 8), (14336, 4096, 8)],
                         ids=lambda s: "x".join(map(str, s)))
def test_add_lora_with_the_narrow_expand(shape, rows, layout, dtype, monkeypatch):
    """add_lora with dispatch taking the narrow (8-row) expand for every batch whose mean segment has up to 8
    rows, however few blocks: the split-K shrink's partial slices summed by it, segments longer than its row
    tile looping over row tiles."""
    monkeypatch.setattr(dispatch, "NARROW_MIN_BLOCKS", 0)
    cuda_ops._installed_kernel.cache_clear()
    try:
        h_in, h_out, rank = shape
        case = Case(rows=rows, h_in=h_in, h_out=h_out, rank=rank, n_lora=6, dtype=dtype, layout=layout,
                    device=DEV, seed=rows + h_out + rank)
        problem = Problem.for_expand(case.y, torch.empty(rows, rank, device=DEV), [case.lora_b],
                                     case.batch.num_segments)
        if problem.num_rows <= dispatch.NARROW_MAX_MEAN_ROWS * problem.num_segments:
            assert cuda_ops._installed_kernel(problem).narrow
        poison_allocator(DEV)
        y = case.y.clone()
        b = case.batch
        cuda_ops.add_lora(y, case.x, [case.lora_a], [case.lora_b],
                          Rows(b.seg_indptr, b.lora_indices, max_segment_rows=b.max_segment_rows), None, 0.5,
                          fused=False)
        want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5,
                                        compute_dtype=torch.float64)
        check_delta(y, case.y, want, dtype, ~covered_rows(case.batch, case.rows, 6).to(DEV))
    finally:
        cuda_ops._installed_kernel.cache_clear()


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "pair"])
@pytest.mark.parametrize("layout", ["distinct", "uniform", "zipf", "negative", "empty"])
@pytest.mark.parametrize("rows", [1, 16, 200, 1000])
def test_add_lora_with_tables_read_before_the_wait(rows, layout, fused):
    """A batch built from host data lets add_lora's first kernel (fused, prefill's walking warp or shrink) read the
    tables before waiting for the previous kernel (tables_ready): the result is the same as without, bit for bit
    except through the grid handoff (its blocks add their partial tiles of v in whatever order they arrive:
    README)."""
    case = Case(rows=rows, h_in=4096, h_out=4096, rank=16, n_lora=6, dtype=torch.bfloat16, layout=layout,
                device=DEV, seed=rows + 7)
    host = sgmv.LoraBatch.from_segments(case.batch.seg_indptr.cpu(), case.batch.lora_indices.cpu(), device=DEV)
    assert host.tables_from_host
    outs = []
    for batch in (host, dataclasses.replace(host, tables_from_host=False)):
        poison_allocator(DEV)
        y = case.y.clone()
        cuda_ops.add_lora(y, case.x, [case.lora_a], [case.lora_b],
                          Rows(batch.seg_indptr, batch.lora_indices, tables_ready=batch.tables_from_host), None, 0.5,
                          fused=None if fused else False)
        outs.append(y)
    problem = Problem.for_add_lora(case.y, case.x, case.lora_a, case.lora_b, host.num_segments, host.max_segment_rows)
    one = cuda_ops._installed_one_launch_kernel(problem, 0) if fused else None
    if not (one is not None and one.op == "fused" and dispatch.uses_handoff(problem, one)):
        assert torch.equal(outs[0], outs[1])
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    for out in outs:
        check_delta(out, case.y, want, torch.bfloat16, ~covered_rows(case.batch, case.rows, 6).to(DEV))


@pytest.mark.parametrize("index_dtype", [torch.int32, torch.int64])
def test_index_dtypes_and_per_adapter_scale(index_dtype):
    case = Case(rows=200, h_in=4096, h_out=4096, rank=16, n_lora=8, dtype=torch.bfloat16, layout="zipf",
                device=DEV, seed=7, index_dtype=index_dtype)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=case.scales)
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 1.0, case.scales,
                                    compute_dtype=torch.float64)
    check_delta(y, case.y, want, torch.bfloat16, ~covered_rows(case.batch, case.rows, 8).to(DEV))


@pytest.mark.parametrize("offset", [0, 8, 3])
def test_strided_rows(offset):
    """x and y as column slices of wider tensors (offset 3 breaks 16-byte alignment): the rest stays put."""
    case = Case(rows=70, h_in=2048, h_out=4096, rank=32, n_lora=3, dtype=torch.float16, layout="empty",
                device=DEV, seed=offset)
    x_wide = torch.randn(70, 2048 + 24, device=DEV).half()
    x_wide[:, offset:offset + 2048] = case.x
    y_wide = torch.randn(70, 4096 + 24, device=DEV).half()
    y_wide[:, offset:offset + 4096] = case.y
    before = y_wide.clone()
    sgmv.add_lora(y_wide[:, offset:offset + 4096], x_wide[:, offset:offset + 2048], case.lora_a, case.lora_b,
                  case.batch, scale=0.5)
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    check_delta(y_wide[:, offset:offset + 4096], case.y, want, torch.float16,
                ~covered_rows(case.batch, case.rows, 3).to(DEV))
    outside = torch.ones_like(y_wide, dtype=torch.bool)
    outside[:, offset:offset + 4096] = False
    assert torch.equal(y_wide[outside], before[outside])


def test_garbage_indices_stay_in_bounds():
    """Adapter indices past n_lora and indptr past T read nothing out of bounds and change nothing."""
    case = Case(rows=40, h_in=4096, h_out=4096, rank=16, n_lora=2, dtype=torch.bfloat16, device=DEV)
    batch = sgmv.LoraBatch.from_segments(torch.tensor([0, 10, 10**6], device=DEV),
                                         torch.tensor([2**30, 1], device=DEV))
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, batch, scale=1.0)
    torch.cuda.synchronize()
    assert torch.equal(y[:10], case.y[:10])
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, batch, 1.0, compute_dtype=torch.float64)
    check_delta(y, case.y, want, torch.bfloat16, torch.zeros(40, dtype=torch.bool, device=DEV))


def _graph_replays(case: Case, y: torch.Tensor, times: int = 2):
    """sgmv.add_lora(y, case's x and weights, scale 0.5) captured in a CUDA graph, then replayed `times` times from
    case.y; yields after each replay has finished."""
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    for _ in range(times):
        y.copy_(case.y)
        graph.replay()
        torch.cuda.synchronize()
        yield


def test_cuda_graph_replay_equals_eager():
    case = Case(rows=64, h_in=4096, h_out=4096, rank=16, n_lora=8, dtype=torch.bfloat16, layout="uniform",
                device=DEV, seed=11)
    eager = case.y.clone()
    sgmv.add_lora(eager, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    y = case.y.clone()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):  # warm up (loads the kernels) outside capture
        sgmv.add_lora(y.clone(), case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    torch.cuda.current_stream().wait_stream(stream)
    for _ in _graph_replays(case, y):
        # float32 atomics may add split-K partials in another order: equal to rounding, not bitwise
        assert rel_error(y.double() - case.y.double(), eager.double() - case.y.double()) < 1e-3


def test_two_streams_at_once():
    cases = [Case(rows=300, h_in=4096, h_out=4096, rank=64, n_lora=4, dtype=torch.float16, layout="zipf",
                  device=DEV, seed=s) for s in (1, 2)]
    streams = [torch.cuda.Stream() for _ in cases]
    outs = [c.y.clone() for c in cases]
    torch.cuda.synchronize()
    for _ in range(5):
        for c, s, y in zip(cases, streams, outs):
            with torch.cuda.stream(s):
                sgmv.add_lora(y, c.x, c.lora_a, c.lora_b, c.batch, scale=0.1)
    torch.cuda.synchronize()
    for c, y in zip(cases, outs):
        want = 5 * reference.add_lora_delta(c.x, c.lora_a, c.lora_b, c.batch, 0.1, compute_dtype=torch.float64)
        check_delta(y, c.y, want, torch.float16, ~covered_rows(c.batch, c.rows, 4).to(DEV))


def test_torch_compile():
    case = Case(rows=33, h_in=4096, h_out=4096, rank=16, n_lora=4, dtype=torch.bfloat16, layout="uniform",
                device=DEV, seed=5)

    @torch.compile(fullgraph=True)
    def layer(y, x):
        return sgmv.add_lora(y, x, case.lora_a, case.lora_b, case.batch, scale=0.5)

    y = case.y.clone()
    layer(y, case.x)
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, case.y, want, torch.bfloat16, ~covered_rows(case.batch, case.rows, 4).to(DEV))


def test_unsupported_arch_or_kernel_message():
    from sgmv.dispatch import Problem, select
    problem = Problem("shrink", "bf16", 16, 4096, 8, 1, True)
    with pytest.raises(sgmv.UnsupportedError, match=r"no compiled shrink kernel runs bf16 r=16 h_in=4096"):
        select(problem, [k for k in KERNELS if k.op == "expand"])


# ---- rows in any order, output slices, true ranks (issue 4) through the public ops ---------------

def _weights(n_lora, rank, h_in, h_out, dtype, gen):
    a = (torch.randn(n_lora, rank, h_in, generator=gen) / h_in ** 0.5).to(dtype).to(DEV)
    b = (torch.randn(n_lora, h_out, rank, generator=gen) / rank ** 0.5).to(dtype).to(DEV)
    return a, b


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows", [1, 7, 64, 300, 2500])
@pytest.mark.parametrize("shape", [(4096, 4096, 16), (2048, 1000, 24), (1001, 999, 5)], ids=lambda s: "x".join(map(str, s)))
def test_token_loras_match_grouped_rows(shape, rows, dtype):
    """Rows in any order give exactly what the same rows grouped by adapter give (an independent check: the
    grouped batch is built on the host by moving rows), and rows without an adapter stay untouched."""
    h_in, h_out, rank = shape
    n_lora = 6
    gen = torch.Generator().manual_seed(rows + rank)
    idx = token_loras(rows, n_lora, rows)
    a, b = _weights(n_lora, rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    sgmv.add_lora(y, x, a, b, sgmv.LoraBatch.from_token_loras(torch.tensor(idx, device=DEV)), scale=0.5)
    order = sorted(range(rows), key=lambda r: (idx[r] if 0 <= idx[r] < n_lora else n_lora, r))
    active = [r for r in order if 0 <= idx[r] < n_lora]
    indptr, loras = [0], []
    for r in active:
        if not loras or loras[-1] != idx[r]:
            loras.append(idx[r])
            indptr.append(indptr[-1])
        indptr[-1] += 1
    grouped = sgmv.LoraBatch.from_segments(indptr, loras, device=DEV)
    perm = torch.tensor(order, device=DEV)
    want = reference.add_lora_delta(x[perm], a, b, grouped, 0.5, compute_dtype=torch.float64)
    delta = torch.zeros(rows, h_out, dtype=torch.float64, device=DEV)
    delta[perm] = want.to(DEV)
    untouched = torch.tensor([not (0 <= i < n_lora) for i in idx], device=DEV)
    check_delta(y, y0, delta, dtype, untouched)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows", [1, 33, 256, 4096])
@pytest.mark.parametrize("outs, rank", [((4096, 1024, 1024), 16), ((1000, 24, 512), 8), ((14336, 14336), 64),
                                        ((64, 128, 64, 256, 8, 16), 32), ((999, 5, 130), 13)],
                         ids=["qkv", "odd", "gate_up", "six", "unaligned"])
def test_slices_equal_separate_calls(outs, rank, rows, dtype):
    """One call with output slices (y's columns side by side; more than 4 slices take several launches)
    equals one call per slice, each on its own columns."""
    h_in, n_lora = 2048 if rank != 13 else 1001, 4
    gen = torch.Generator().manual_seed(rows + len(outs))
    pairs = [_weights(n_lora, rank if i % 2 == 0 else max(1, rank // 2 // 8 * 8), h_in, h, dtype, gen)
             for i, h in enumerate(outs)]
    case = Case(rows=rows, h_in=h_in, h_out=8, rank=8, n_lora=n_lora, dtype=dtype, layout="zipf", device=DEV, seed=rows)
    y0 = torch.randn(case.rows, sum(outs), generator=gen).to(dtype).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    sgmv.add_lora(y, case.x, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), case.batch, scale=case.scales,
                  slices=outs)
    want = reference.add_lora_delta(case.x, [p[0] for p in pairs], [p[1] for p in pairs], case.batch, 1.0,
                                    case.scales, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(case.batch, case.rows, n_lora).to(DEV))
    separate, col = y0.clone(), 0
    for (a, b), h in zip(pairs, outs):
        sgmv.add_lora(separate[:, col:col + h], case.x, a, b, case.batch, scale=case.scales)
        col += h
    assert rel_error(y.double() - y0.double(), separate.double() - y0.double()) < TOLERANCE[dtype] / 4
    v = sgmv.shrink(case.x, tuple(p[0] for p in pairs), case.batch)
    assert v.shape == (case.rows, sum(p[0].shape[1] for p in pairs))
    assert rel_error(v, reference.shrink(case.x, [p[0] for p in pairs], case.batch, compute_dtype=torch.float64)) \
        < TOLERANCE[dtype] / 4
    y2 = y0.clone()
    sgmv.expand(y2, v, tuple(p[1] for p in pairs), case.batch, scale=case.scales, slices=outs)
    assert rel_error(y2.double() - y0.double(), want) < TOLERANCE[dtype] + output_rounding(y2, want)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows", [1, 64, 1000])
@pytest.mark.parametrize("rank, h", [(64, 4096), (128, 2048), (16, 1000), (24, 1001)])
def test_true_ranks_equal_zero_padded_weights(rank, h, rows, dtype):
    """Adapters of mixed true ranks stacked padded to the largest: with `ranks` and NaN padding, the result is
    that of the same weights zero-padded without `ranks`."""
    n_lora = 6
    gen = torch.Generator().manual_seed(rank + rows)
    ranks = true_ranks(n_lora, rank, rows).to(DEV)
    a, b = _weights(n_lora, rank, h, h, dtype, gen)
    a0, b0 = a.clone(), b.clone()
    poison_past_rank(a0, b0, ranks.cpu())
    for lora, k in enumerate(ranks.tolist()):
        a[lora, k:] = 0
        b[lora, :, k:] = 0
    case = Case(rows=rows, h_in=h, h_out=h, rank=8, n_lora=n_lora, dtype=dtype, layout="negative", device=DEV, seed=rows)
    poison_allocator(DEV)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, a0, b0, case.batch, scale=0.5, ranks=ranks)
    want = reference.add_lora_delta(case.x, a, b, case.batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, case.y, want, dtype, ~covered_rows(case.batch, case.rows, n_lora).to(DEV))
    v = sgmv.shrink(case.x, a0, case.batch, ranks=ranks)
    assert rel_error(v, reference.shrink(case.x, a, case.batch, compute_dtype=torch.float64)) < TOLERANCE[dtype] / 4


@pytest.mark.parametrize("rows", [1, 50, 700])
def test_everything_together_under_graph_replay(rows):
    """from_token_loras captured in a CUDA graph with add_lora (slices, true ranks, per-adapter scales): replays
    follow new adapter indices written into the captured index tensor, and nothing synchronizes."""
    n_lora, h_in, outs, rank = 5, 4096, (4096, 1024, 1024), 32
    gen = torch.Generator().manual_seed(rows)
    pairs = [_weights(n_lora, rank, h_in, h, torch.bfloat16, gen) for h in outs]
    ranks = true_ranks(n_lora, rank, rows).to(DEV)
    for a, b in pairs:
        poison_past_rank(a, b, ranks.cpu())
    scales = (torch.rand(n_lora, generator=gen) + 0.5).to(DEV)
    x = torch.randn(rows, h_in, generator=gen).to(torch.bfloat16).to(DEV)
    y0 = torch.randn(rows, sum(outs), generator=gen).to(torch.bfloat16).to(DEV)
    idx = torch.tensor(token_loras(rows, n_lora, 1), device=DEV)
    y = y0.clone()

    def step():
        batch = sgmv.LoraBatch.from_token_loras(idx)
        sgmv.add_lora(y, x, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), batch, scale=scales,
                      slices=outs, ranks=ranks)

    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        step()  # warm up outside capture
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    torch.cuda.set_sync_debug_mode("error")
    try:
        with torch.cuda.graph(graph):
            step()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    for seed in (2, 3):
        idx.copy_(torch.tensor(token_loras(rows, n_lora, seed), device=DEV))
        y.copy_(y0)
        graph.replay()
        torch.cuda.synchronize()
        batch = sgmv.LoraBatch.from_token_loras(idx)
        want = reference.add_lora_delta(x, [p[0] for p in pairs], [p[1] for p in pairs], batch, 1.0, scales,
                                        compute_dtype=torch.float64, ranks=ranks)
        check_delta(y, y0, want, torch.bfloat16, ~covered_rows(batch, rows, n_lora).to(DEV))


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("shape", [(4096, 4096, 16), (2048, 5120, 64), (1000, 1032, 24), (1001, 999, 5)],
                         ids=lambda s: "x".join(map(str, s)))
def test_skewed_batch_takes_flat_row_tiles(shape, dtype):
    """One hot adapter (300 rows) among 40 one-row segments, -1 and empty ones: the host knows the longest
    segment outruns the mean-sized row groups, so both kernels take flat row tiles (each tile its own
    block); the result matches the reference and rows without an adapter stay untouched."""
    h_in, h_out, rank = shape
    lengths = [1] * 20 + [300] + [0, 2] + [1] * 20
    loras = [(i * 7) % 5 for i in range(len(lengths))]
    loras[3] = loras[30] = -1
    indptr = [0]
    for n in lengths:
        indptr.append(indptr[-1] + n)
    rows = indptr[-1]
    batch = sgmv.LoraBatch.from_segments(indptr, loras, device=DEV)
    gen = torch.Generator().manual_seed(rank)
    a, b = _weights(5, rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    problem = Problem.for_shrink(x, [a], batch.num_segments, batch.max_segment_rows)
    assert plan(problem, cuda_ops._installed_kernel(problem), 132, partial=True).flat
    poison_allocator(DEV)
    y = y0.clone()
    sgmv.add_lora(y, x, a, b, batch, scale=0.5)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, 5).to(DEV))


# ---- add_lora in one launch (the fused kernel) -----------------------------------------------------

def _one_launch_op(problem: Problem):
    """The op of the kernel add_lora runs `problem` with in one launch on GPU 0, or None for the launch pair."""
    kernel = cuda_ops._installed_one_launch_kernel(problem, 0)
    return kernel.op if kernel is not None else None


FUSED = [k for k in KERNELS if k.op == "fused"]
FUSED_SHAPES = [(4096, 4096), (1032, 1000), (4096, 14336), (14336, 4096), (8, 24)]


@pytest.mark.parametrize("layout", ["one_row", "distinct", "negative", "empty", "uniform"])
@pytest.mark.parametrize("shape", FUSED_SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", FUSED, ids=lambda k: k.name)
def test_fused_shapes(kernel, shape, layout):
    """The fused kernel on h_in and h_out off its tiles (one chunk, several clusters per row tile), one row,
    one row per segment (many segments), -1 adapters, empty segments; y past the covered rows untouched."""
    h_in, h_out = shape
    dtype = DTYPES[kernel.dtype]
    rows = {"one_row": 1, "distinct": 97}.get(layout, 130)
    seed = zlib.crc32(f"{kernel.name}{shape}{layout}".encode()) % 1000
    gen = torch.Generator().manual_seed(seed)
    n_lora = 6
    if layout in ("one_row", "distinct"):
        batch = sgmv.LoraBatch.from_segments(list(range(rows + 1)), [i % n_lora for i in range(rows)], device=DEV)
    else:
        batch = Case(rows=rows, h_in=8, h_out=8, rank=8, n_lora=n_lora, dtype=dtype, layout=layout, device=DEV,
                     seed=seed).batch
    a, b = _weights(n_lora, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    cuda_ops.add_lora(y, x, [a], [b], Rows(*batch.kernel_segments(n_lora), max_segment_rows=batch.max_segment_rows),
                      None, 0.5, fused=kernel)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))


# ---- a rank without a one-launch kernel as two half-rank launches (dispatch.rank_split) -------------------------

@pytest.fixture
def clear_selections():
    """Clears cuda_ops's memoized kernel selections after the test, so that none made with a patched manifest
    outlives it."""
    yield
    for memo in (cuda_ops._installed_kernel, cuda_ops._installed_one_launch_kernel, cuda_ops._installed_rank_split):
        memo.cache_clear()


def _install_without(monkeypatch, drop) -> None:
    """cuda_ops selects from the installed manifest less the kernels for which drop(kernel) holds (for the test;
    with the clear_selections fixture)."""
    built = manifest.load()
    less = dataclasses.replace(built, kernels=tuple(k for k in built.kernels if not drop(k)))
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: less)
    for memo in (cuda_ops._installed_kernel, cuda_ops._installed_one_launch_kernel, cuda_ops._installed_rank_split):
        memo.cache_clear()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows, layout", [(1, "single"), (16, "identical"), (64, "distinct"), (256, "uniform"),
                                          (311, "negative"), (4096, "uniform")])
@pytest.mark.parametrize("shape", [(4096, 4096), (1040, 1032)], ids=lambda s: "x".join(map(str, s)))
def test_add_lora_rank_halves(shape, rows, layout, dtype, clear_selections, monkeypatch):
    """Rank 128 without a one-launch kernel (the build's rank-128 fused kernel taken out of the manifest where it
    has one) where rank 64 has one: two one-launch add_loras over the halves of A's rows and B's columns (views),
    decode batches to 4096 rows; y rounded after each half, so twice its rounding. Where the half has none either
    (4096 rows at 1040 -> 1032), the launch pair at the full rank."""
    if loader.device(0).arch < 90:
        pytest.skip("the one-launch kernels need sm_90")
    h_in, h_out = shape
    case = Case(rows=rows, h_in=h_in, h_out=h_out, rank=128, n_lora=6, dtype=dtype, layout=layout, device=DEV,
                seed=rows + h_in)
    problem = Problem.for_add_lora(case.y, case.x, case.lora_a, case.lora_b, case.batch.num_segments,
                                   case.batch.max_segment_rows)
    _install_without(monkeypatch, lambda k: k.op in ("fused", "prefill") and k.rank == 128)
    assert cuda_ops._installed_one_launch_kernel(problem, 0) is None
    split = cuda_ops._installed_rank_split(problem, 0) is not None  # else the half too runs as the launch pair
    launched = []
    real = cuda_ops._launch_fused
    monkeypatch.setattr(cuda_ops, "_launch_fused", lambda kernel, part, *a: (launched.append(part.rank),
                                                                            real(kernel, part, *a)))
    poison_allocator(DEV)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    assert launched == ([64, 64] if split else [])
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    untouched = ~covered_rows(case.batch, case.rows, 6).to(DEV)
    check_delta(y, case.y, want, dtype, untouched, roundings=2 if split else 1)
    if rows == 16:  # captured in a graph too: both halves replay, the second after the first
        y = case.y.clone()
        for _ in _graph_replays(case, y):
            check_delta(y, case.y, want, dtype, untouched, roundings=2 if split else 1)


# ---- the fused kernel with the grid handoff (handoff.cuh) ---------------------------------------------------

HANDOFF_LAYOUTS = {  # (rows, segment sizes, adapters): -1 adapters, empty segments, a segment off the row tile
    "one_row": ([1], [3]),
    "identical_64": ([64], [1]),
    "mixed": ([5, 0, 17, 1, 33, 0, 2], [0, 2, -1, 4, 1, 3, 5]),
    "distinct_12": ([1] * 12, [i % 6 for i in range(12)]),
    "short_mixed": ([1, 0, 3, 4, 2, 0, 1], [0, 2, -1, 4, 1, 3, 5]),  # short segments, an empty one, a -1 adapter
}


def _handoff_case(kernel, layout: str, h_in: int, h_out: int, seed: int):
    sizes, loras = HANDOFF_LAYOUTS[layout]
    dtype = DTYPES[kernel.dtype]
    gen = torch.Generator().manual_seed(seed)
    batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)
    rows = sum(sizes)
    a, b = _weights(6, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    return batch, a, b, x, y0


@pytest.mark.parametrize("layout", HANDOFF_LAYOUTS)
@pytest.mark.parametrize("shape", [(4096, 4096), (1032, 1000), (8192, 8192), (8, 24)],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", FUSED, ids=lambda k: k.name)
def test_fused_kernel_with_the_grid_handoff(kernel, shape, layout, monkeypatch):
    """Every fused kernel with the grid handoff (forced at every rank): blocks splitting h_in from 1 (one chunk)
    to a block per column tile, segments of one row to four row tiles, -1 adapters and empty segments; called
    three times in a row so each buffer of the workspace serves (and each launch zeroes the other)."""
    monkeypatch.setattr(dispatch, "HANDOFF_MIN_RANK", 0)
    batch, a, b, x, y0 = _handoff_case(kernel, layout, *shape, seed=zlib.crc32(f"{kernel.name}{shape}{layout}".encode()))
    rows = Rows(*batch.kernel_segments(6), max_segment_rows=batch.max_segment_rows)
    problem = Problem.for_add_lora(y0, x, a, b, batch.num_segments)
    launch = plan(dataclasses.replace(problem, max_segment_rows=batch.max_segment_rows), kernel,
                  loader.device(0).num_sms, clusters=True)
    assert launch.handoff and launch.cluster == 1
    poison_allocator(DEV)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    for _ in range(3):
        y = y0.clone()
        cuda_ops.add_lora(y, x, [a], [b], rows, None, 0.5, fused=kernel)
        check_delta(y, y0, want, DTYPES[kernel.dtype], ~covered_rows(batch, y0.shape[0], 6).to(DEV))


def test_grid_handoff_in_graphs_and_streams():
    """add_lora's rank-64 decode batches take the grid handoff; captured in two graphs (one workspace each) that
    are replayed in turn, an odd number of calls each, and run eagerly on a second stream meanwhile: every
    result matches the reference, however the workspaces' buffers alternate."""
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernel needs sm_90")
    cases = [Case(rows=rows, h_in=4096, h_out=4096, rank=64, n_lora=8, dtype=torch.bfloat16, layout=layout,
                  device=DEV, seed=200 + i) for i, (rows, layout) in enumerate([(1, "one_row"), (16, "identical"),
                                                                               (16, "uniform")])]
    for c in cases:
        assert _one_launch_op(Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments,
                                                   c.batch.max_segment_rows)) == "fused"
    outs = [[c.y.clone() for c in cases] for _ in range(3)]
    xs = [c.x.clone() for c in cases]

    def calls(ys):
        for c, x, y in zip(cases, xs, ys):
            sgmv.add_lora(y, x, c.lora_a, c.lora_b, c.batch, scale=0.5)

    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        calls(outs[0])  # loads the kernels outside capture
    torch.cuda.current_stream().wait_stream(side)
    graphs = [torch.cuda.CUDAGraph() for _ in range(2)]
    for g, ys in zip(graphs, outs[1:]):
        with torch.cuda.graph(g):
            calls(ys)
    for step in range(4):
        for i, x in enumerate(xs):
            x.copy_(torch.randn(x.shape, generator=torch.Generator().manual_seed(10 * step + i)).to(x.dtype))
        for ys in outs:
            for c, y in zip(cases, ys):
                y.copy_(c.y)
        side.wait_stream(torch.cuda.current_stream())
        for g in graphs:
            g.replay()
        with torch.cuda.stream(side):
            calls(outs[0])
        torch.cuda.current_stream().wait_stream(side)
        torch.cuda.synchronize()
        for ys in outs:
            for c, x, y in zip(cases, xs, ys):
                want = reference.add_lora_delta(x, c.lora_a, c.lora_b, c.batch, 0.5, compute_dtype=torch.float64)
                check_delta(y, c.y, want, torch.bfloat16, ~covered_rows(c.batch, c.rows, 8).to(DEV))


def test_fused_is_chosen_for_small_batches_and_replays_in_a_graph():
    """The public op takes the fused kernel for a decode batch on sm_90; under graph replay it gives the
    eager result with new inputs written in place."""
    case = Case(rows=16, h_in=4096, h_out=4096, rank=16, n_lora=8, dtype=torch.bfloat16, layout="uniform",
                device=DEV, seed=3)
    problem = Problem.for_add_lora(case.y, case.x, case.lora_a, case.lora_b, case.batch.num_segments)
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernel needs thread-block clusters (sm_90)")
    assert _one_launch_op(problem) == "fused"
    y = case.y.clone()
    graph = torch.cuda.CUDAGraph()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        sgmv.add_lora(y.clone(), case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    torch.cuda.current_stream().wait_stream(stream)
    x = case.x.clone()
    with torch.cuda.graph(graph):
        sgmv.add_lora(y, x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    for seed in (1, 2):
        x.copy_(torch.randn(x.shape, generator=torch.Generator().manual_seed(seed)).to(x.dtype))
        y.copy_(case.y)
        graph.replay()
        want = reference.add_lora_delta(x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
        check_delta(y, case.y, want, torch.bfloat16, ~covered_rows(case.batch, case.rows, 8).to(DEV))


@pytest.mark.parametrize("graph", [False, True], ids=["eager", "graph"])
def test_chained_calls_read_the_previous_calls_output(graph):
    """Each call's x is the previous call's y, written just before by the kernel that this call's first kernel
    overlaps (overlap.cuh: it warms L2 with x before waiting). Small batches (the fused kernel on sm_90: r16 with
    its cluster sum, r64 with the grid handoff) and r64 batches of the shrink-expand pair in several layouts; each
    step must read all of the previous output."""
    steps = [(256, 64, "zipf"), (64, 64, "uniform"), (64, 16, "uniform"), (32, 64, "distinct"), (16, 16, "identical"),
             (16, 64, "distinct"), (1, 16, "empty"), (1, 64, "empty")]  # (rows, rank, layout), rows not growing
    cases = [Case(rows=rows, h_in=4096, h_out=4096, rank=rank, n_lora=8, dtype=torch.bfloat16, layout=layout,
                  device=DEV, seed=100 + i) for i, (rows, rank, layout) in enumerate(steps)]
    if loader.device(0).arch >= 90:
        fused = [_one_launch_op(Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments,
                                                     c.batch.max_segment_rows)) == "fused"
                 for c in cases]
        # r16 with the cluster sum; r64 with the grid handoff: 8 segments of 8 rows, 32 of one row (8 blocks a
        # segment for 16 column tiles: two each), 16 of one row, one row
        assert fused == [False, True, True, True, True, True, True, True], fused
    start = torch.randn(256, 4096, generator=torch.Generator().manual_seed(5)).to(torch.bfloat16).to(DEV)
    _check_chain(cases, start, graph, n_lora=8)


def _check_chain(cases, start, graph: bool, n_lora: int) -> None:
    """add_lora on each case in turn, x being the previous call's y (the first x: `start`), eager or captured in
    one CUDA graph and replayed; every output against the float64 reference of its actual input."""
    outs = [c.y.clone() for c in cases]

    def chain():
        x = start
        for c, y in zip(cases, outs):
            sgmv.add_lora(y, x[:c.rows], c.lora_a, c.lora_b, c.batch, scale=0.5)
            x = y

    if graph:
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            chain()  # loads the kernels outside capture
        torch.cuda.current_stream().wait_stream(stream)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            chain()
        for c, y in zip(cases, outs):
            y.copy_(c.y)
        g.replay()
    else:
        chain()
    torch.cuda.synchronize()
    x = start
    for c, y in zip(cases, outs):
        want = reference.add_lora_delta(x[:c.rows], c.lora_a, c.lora_b, c.batch, 0.5, compute_dtype=torch.float64)
        check_delta(y, c.y, want, torch.bfloat16, ~covered_rows(c.batch, c.rows, n_lora).to(DEV))
        x = y


# ---- add_lora for long segments in one launch (the prefill kernel) ----------------------------------------

PREFILL = [k for k in KERNELS if k.op == "prefill"]
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
    h_in, h_out = shape
    dtype = DTYPES[kernel.dtype]
    n_lora = 6
    seed = zlib.crc32(f"{kernel.name}{shape}{layout}".encode()) % 1000
    gen = torch.Generator().manual_seed(seed)
    batch = _prefill_batch(layout, n_lora, dtype, seed)
    rows = int(batch.seg_indptr[-1])
    a, b = _weights(n_lora, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    scales = (torch.rand(n_lora, generator=gen) + 0.5).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    cuda_ops.add_lora(y, x, [a], [b], Rows(*batch.kernel_segments(n_lora)), scales, 0.5, fused=kernel)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, scales, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))


def _many_short_segments(n_lora: int, seed: int) -> sgmv.LoraBatch:
    """Over 500 segments (several rounds of the tile walk's scan) of 0-3 rows and a few of 17-40, -1 among the
    adapters."""
    rng = random.Random(seed)
    sizes = [rng.choice([0, 1, 1, 1, 2, 3, 17, 40]) for _ in range(530)]
    loras = [rng.choice(list(range(n_lora)) + [-1]) for _ in sizes]
    return sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)


@pytest.mark.parametrize("layout", ["token_order", "many_segments"])
@pytest.mark.parametrize("cluster", [1, 2])
@pytest.mark.parametrize("blocks", [1, 7])
@pytest.mark.parametrize("kernel", PREFILL, ids=lambda k: k.name)
def test_prefill_blocks_walk_many_tiles(kernel, blocks, cluster, layout):
    """Fewer blocks (or clusters of two) than row tiles: each walks tiles gridDim.x apart over many segments (the
    stages and their barriers, and a cluster's swaps of v, carry on from tile to tile), with rows in any order
    (row_index), or over hundreds of short segments, empty ones and -1 adapters among them."""
    dtype = DTYPES[kernel.dtype]
    n_lora = 7
    gen = torch.Generator().manual_seed(blocks)
    if layout == "token_order":
        batch = sgmv.LoraBatch.from_token_loras(token_loras(1500, n_lora, blocks), device=DEV)
    else:
        batch = _many_short_segments(n_lora, blocks)
    rows = int(batch.seg_indptr[-1])
    a, b = _weights(n_lora, kernel.rank, 528, 264, dtype, gen)
    x = torch.randn(rows, 528, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, 264, generator=gen).to(dtype).to(DEV)
    y = y0.clone()
    problem = dataclasses.replace(Problem.for_add_lora(y, x, a, b, n_lora), op="prefill")
    geometry = dataclasses.replace(plan(problem, kernel, 132, clusters=True, resident_blocks=1),
                                   grid=(blocks, cluster, 1), cluster=cluster)
    rows_ = Rows(*batch.kernel_segments(n_lora), batch.row_index)
    params = cuda_ops._params(rows_, None, 0.5, [cuda_ops._slice(a, kernel.rank, 528, 0),
                                                 cuda_ops._slice(b, kernel.rank, 264, 0)], geometry,
                              x=x.data_ptr(), y=y.data_ptr(), ld_x=x.stride(0), ld_y=y.stride(0), num_rows=rows,
                              num_loras=n_lora)
    poison_allocator(DEV)
    loader.launch(kernel, geometry, params, x)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))


# (rows, h_in = h_out, layout, adapters): long segments with a 64-row tile for each of an H200's 132 SMs, and 128
# one-row segments (the 16-row tile, one wave at every rank).
PREFILL_CHAINS = {"long": (8448, 1024, "uniform", 4), "distinct": (128, 1040, "distinct", 40)}


@pytest.mark.parametrize("graph", [False, True], ids=["eager", "graph"])
@pytest.mark.parametrize("batch", PREFILL_CHAINS)
def test_prefill_is_chosen_and_chains(batch, graph):
    """The public op takes the prefill kernel on sm_90 for long segments and for many one-row segments; each
    call's x is the previous call's y (the kernel waits for the previous one before its first copy), eager and
    under graph replay."""
    if loader.device(0).arch < 90:
        pytest.skip("the prefill kernel needs sm_90 (its barriers' waits)")
    rows, hidden, layout, n_lora = PREFILL_CHAINS[batch]
    cases = [Case(rows=rows, h_in=hidden, h_out=hidden, rank=rank, n_lora=n_lora, dtype=torch.bfloat16,
                  layout=layout, device=DEV, seed=40 + i) for i, rank in enumerate((16, 64, 32))]
    for c in cases:
        problem = Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments)
        assert _one_launch_op(problem) == "prefill"
    start = torch.randn(rows, hidden, generator=torch.Generator().manual_seed(6)).to(torch.bfloat16).to(DEV)
    _check_chain(cases, start, graph, n_lora=n_lora)


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
    problem = Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments, true_ranks=True)
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


def _random_hidden(rng: random.Random) -> int:
    """A hidden size as a model has one, a multiple of 16 off the grid, or any size at all."""
    return rng.choice([rng.choice([1024, 2048, 4096, 5120, 8192, 14336]), 16 * rng.randint(1, 600),
                       rng.randint(1, 3000)])


@pytest.mark.parametrize("seed", range(48))
def test_random_problems_match_the_reference(seed):
    """Problems drawn at random (sizes, rank, rows, layout, dtype, output slices, per-adapter scales and true ranks,
    rows in token order, x and y as strided column slices of wider tensors): add_lora, shrink and expand through
    the public ops, against the float64 reference; rows without an adapter and y's columns around it untouched,
    and the NaN padding past a true rank never read. Shapes no other test names: whatever path dispatch takes."""
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    dtype = rng.choice([torch.bfloat16, torch.float16])
    h_in = _random_hidden(rng)
    rank = rng.choice([rng.choice([8, 16, 32, 64, 128]), rng.randint(1, 136)])
    outs = tuple(_random_hidden(rng) for _ in range(rng.choice([1, 1, 1, 2, 3])))
    n_lora = rng.randint(1, 10)
    layout = rng.choice(LAYOUTS)
    rows = max(1, round(math.exp(rng.uniform(0, math.log(1500 if layout == "distinct" else 4096)))))
    pairs = [_weights(n_lora, rank, h_in, h, dtype, gen) for h in outs]
    ranks = true_ranks(n_lora, rank, seed).to(DEV) if rng.random() < 0.3 else None
    zero_pairs = [(a.clone(), b.clone()) for a, b in pairs]
    if ranks is not None:
        for (a, b), (za, zb) in zip(pairs, zero_pairs):
            poison_past_rank(a, b, ranks.cpu())
            poison_past_rank(za, zb, ranks.cpu())
            za.nan_to_num_(0.0)
            zb.nan_to_num_(0.0)
    if rng.random() < 0.3:
        batch = sgmv.LoraBatch.from_token_loras(torch.tensor(token_loras(rows, n_lora, seed), device=DEV))
    else:
        indptr, loras = make_layout(layout, rows, n_lora, rng)
        rows = indptr[-1]
        batch = sgmv.LoraBatch.from_segments(torch.tensor(indptr), torch.tensor(loras)).to(DEV)
    scale = (torch.rand(n_lora, generator=gen) + 0.5).to(DEV) if rng.random() < 0.5 else rng.uniform(-2, 2)
    pad = rng.choice([0, 0, 8, 3])  # columns of the wider tensors around x and y (3: rows off 16-byte alignment)
    x_wide = torch.randn(rows, h_in + 2 * pad, generator=gen).to(dtype).to(DEV)
    y_wide = torch.randn(rows, sum(outs) + 2 * pad, generator=gen).to(dtype).to(DEV)
    x, y0 = x_wide[:, pad:pad + h_in], y_wide[:, pad:pad + sum(outs)].clone()
    lora_a, lora_b = tuple(a for a, _ in pairs), tuple(b for _, b in pairs)
    zero_a, zero_b = [a for a, _ in zero_pairs], [b for _, b in zero_pairs]
    scales, ref_scale = (scale, 1.0) if isinstance(scale, torch.Tensor) else (None, scale)
    untouched = ~covered_rows(batch, rows, n_lora).to(DEV)
    # two roundings of y where add_lora may run as two half-rank launches (dispatch.rank_split)
    roundings = 2 if len(outs) == 1 and ranks is None and rank >= 32 else 1
    note = f"dtype {dtype}, h_in {h_in}, outs {outs}, rank {rank}, rows {rows}, n_lora {n_lora}, layout {layout}"

    poison_allocator(DEV)
    before = y_wide.clone()
    sgmv.add_lora(y_wide[:, pad:pad + sum(outs)], x, lora_a, lora_b, batch, scale=scale, slices=outs, ranks=ranks)
    want = reference.add_lora_delta(x, zero_a, zero_b, batch, ref_scale, scales, compute_dtype=torch.float64)
    check_delta(y_wide[:, pad:pad + sum(outs)], y0, want, dtype, untouched, roundings)
    outside = torch.ones_like(y_wide, dtype=torch.bool)
    outside[:, pad:pad + sum(outs)] = False
    assert torch.equal(y_wide[outside], before[outside]), f"columns around y changed ({note})"

    v = sgmv.shrink(x, lora_a, batch, scale=scale, ranks=ranks)
    want_v = reference.shrink(x, zero_a, batch, ref_scale, scales, compute_dtype=torch.float64)
    assert rel_error(v, want_v) < TOLERANCE[dtype] / 4, note
    y = y0.clone()
    sgmv.expand(y, want_v.float(), lora_b, batch, scale=0.5, slices=outs, ranks=ranks)
    check_delta(y, y0, reference.expand_delta(want_v, zero_b, batch, 0.5, compute_dtype=torch.float64), dtype,
                untouched)
