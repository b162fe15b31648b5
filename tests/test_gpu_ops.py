"""The public ops on the GPU (add_lora, shrink, expand through sgmv's API: layouts, index dtypes, strided rows, graphs,
streams, torch.compile, rows in any order, output slices, true ranks, random problems), against a float64 reference
on fresh random data.

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import itertools
import math
import random

import pytest
import torch

import sgmv
from sgmv import cuda_ops, dispatch, reference, slice_calls
from sgmv.cuda_ops import Rows
from sgmv.dispatch import Problem
from sgmv.launch_plan import plan
from conftest import (LAYOUTS, TOLERANCE, Case, covered_rows, make_layout, output_rounding, poison_allocator,
                      poison_past_rank, rel_error, requires_gpu, token_loras, true_ranks)
from gpu_checks import DEV, DTYPES, KERNELS, check_delta, graph_replays, random_weights

pytestmark = requires_gpu


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
@pytest.mark.parametrize("layout", ["distinct", "zipf", "negative", "empty"])
@pytest.mark.parametrize("rows", [1, 17, 311, 2100])
@pytest.mark.parametrize("h_in, rank", [(3584, 8), (3584, 16), (18944, 32), (1040, 64)], ids=lambda v: str(v))
def test_shrink_off_the_built_hidden_sizes_runs_its_rank_s_kernel(h_in, rank, rows, layout, dtype):
    """An h_in off codegen's HIDDEN_SIZES (Qwen2's 3584 and 18944; 1040) at ranks 8-64: the shrink of its rank and any
    h_in (codegen's SHRINK_ANY_HIDDEN_RANKS, NOTES entry 315), not the any-rank kernel, through the public op and
    through add_lora's launch pair; -1 adapters, empty segments, one row and several row tiles."""
    case = Case(rows=rows, h_in=h_in, h_out=2056, rank=rank, n_lora=6, dtype=dtype, layout=layout, device=DEV,
                seed=rows + h_in + rank)
    problem = Problem.for_shrink(case.x, [case.lora_a], case.batch.num_segments)
    kernel = cuda_ops._installed_kernel(problem, case.x.device.index)
    assert (kernel.rank, kernel.hidden) == (rank, 0), kernel.name
    poison_allocator(DEV)
    v = sgmv.shrink(case.x, case.lora_a, case.batch, scale=case.scales)
    want = reference.shrink(case.x, case.lora_a, case.batch, 1.0, case.scales, compute_dtype=torch.float64)
    assert rel_error(v, want) < TOLERANCE[dtype] / 4
    covered = covered_rows(case.batch, case.rows, 6).to(DEV)
    assert torch.equal(v[~covered], torch.zeros_like(v[~covered])), "rows without an adapter: v is zero"
    y = case.y.clone()
    b = case.batch
    cuda_ops.add_lora(y, case.x, [case.lora_a], [case.lora_b],
                      Rows(b.seg_indptr, b.lora_indices, max_segment_rows=b.max_segment_rows), None, 0.5, fused=False)
    want_y = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, case.y, want_y, dtype, ~covered)


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
    cuda_ops.clear_selections()
    try:
        h_in, h_out, rank = shape
        case = Case(rows=rows, h_in=h_in, h_out=h_out, rank=rank, n_lora=6, dtype=dtype, layout=layout,
                    device=DEV, seed=rows + h_out + rank)
        problem = Problem.for_expand(case.y, torch.empty(rows, rank, device=DEV), [case.lora_b],
                                     case.batch.num_segments)
        if problem.num_rows <= dispatch.NARROW_MAX_MEAN_ROWS * problem.num_segments:
            assert cuda_ops._installed_kernel(problem, case.y.device.index).narrow
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
        cuda_ops.clear_selections()


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
    # The Rows above leave the longest segment unknown (-1), so dispatch sees the batch as add_lora did: no gemv kernel.
    problem = Problem.for_add_lora(case.y, case.x, case.lora_a, case.lora_b, host.num_segments, -1)
    one = cuda_ops._installed_one_launch_kernel(problem, 0) if fused else None
    if not (one is not None and one.op == "fused" and dispatch.uses_handoff(problem, one)):
        assert torch.equal(outs[0], outs[1])
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    for out in outs:
        check_delta(out, case.y, want, torch.bfloat16, ~covered_rows(case.batch, case.rows, 6).to(DEV))


@pytest.mark.parametrize("graph", [False, True], ids=["eager", "graph"])
@pytest.mark.parametrize("rank", [16, 64])
def test_a_batch_refilled_on_the_device_after_for_device_writes(rank, graph):
    """Batch tables built from host data for four one-row segments, refilled on the device with segments of 64 rows
    (static buffers refilled before a CUDA-graph replay, as README says): through batch.for_device_writes() every
    row of them gets its LoRA. The longest segment the host read (1) would have sized a launch for one row tile a
    segment (the grid handoff's blocks take one row tile each) and left the rows past it without their LoRA."""
    T, h, n_lora = 256, 4096, 5
    gen = torch.Generator().manual_seed(rank)
    x = torch.randn(T, h, generator=gen).to(torch.bfloat16).to(DEV)
    y0 = torch.randn(T, h, generator=gen).to(torch.bfloat16).to(DEV)
    lora_a, lora_b = random_weights(n_lora, rank, h, h, torch.bfloat16, gen)
    host = sgmv.LoraBatch.from_segments([0, 1, 2, 3, 4], [3, 0, 4, 1], device=DEV)
    assert (host.max_segment_rows, host.end_row) == (1, 4)
    batch = host.for_device_writes()
    y = y0.clone()
    if graph:
        sgmv.add_lora(y.clone(), x, lora_a, lora_b, batch, scale=0.5)  # loads the kernels outside the capture
        captured = torch.cuda.CUDAGraph()
        with torch.cuda.graph(captured):
            sgmv.add_lora(y, x, lora_a, lora_b, batch, scale=0.5)
    batch.seg_indptr.copy_(torch.tensor([0, 64, 128, 192, 256], device=DEV))
    batch.lora_indices.copy_(torch.tensor([2, -1, 0, 3], device=DEV))
    if graph:
        captured.replay()
    else:
        sgmv.add_lora(y, x, lora_a, lora_b, batch, scale=0.5)
    torch.cuda.synchronize()
    want = reference.add_lora_delta(x, lora_a, lora_b, batch, 0.5, compute_dtype=torch.float64)
    untouched = torch.zeros(T, dtype=torch.bool, device=DEV)
    untouched[64:128] = True
    check_delta(y, y0, want, torch.bfloat16, untouched)


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
    """Adapter indices past n_lora and indptr past T in tables on the device (never read on the host, so not checked
    there: the kernels clamp them) read nothing out of bounds and change nothing. (A batch from host data whose
    segments end past T raises: test_validation.py.)"""
    case = Case(rows=40, h_in=4096, h_out=4096, rank=16, n_lora=2, dtype=torch.bfloat16, device=DEV)
    batch = sgmv.LoraBatch.from_segments(torch.tensor([0, 10, 10**6], device=DEV),
                                         torch.tensor([2**30, 1], device=DEV)).for_device_writes()
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, batch, scale=1.0)
    torch.cuda.synchronize()
    assert torch.equal(y[:10], case.y[:10])
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, batch, 1.0, compute_dtype=torch.float64)
    check_delta(y, case.y, want, torch.bfloat16, torch.zeros(40, dtype=torch.bool, device=DEV))



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
    for _ in graph_replays(case, y):
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



def test_ops_bump_the_version_of_the_y_they_write():
    """The CUDA kernels of the torch.library ops (ops.py) tell autograd that they wrote y: its version counter moves on,
    so a graph that saved y before fails on backward (tests/test_reference.py's twin runs the CPU kernels)."""
    case = Case(rows=9, h_in=4096, h_out=4096, rank=16, n_lora=4, dtype=torch.bfloat16, layout="uniform", device=DEV,
                seed=8)
    w = case.y.clone().requires_grad_()
    y = w * 1.0
    saved = (y * y).float().sum()  # saves y
    with torch.no_grad():
        for write in (lambda: sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch),
                      lambda: sgmv.expand(y, sgmv.shrink(case.x, case.lora_a, case.batch), case.lora_b, case.batch)):
            version = y._version
            write()
            assert y._version > version
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.backward()

def test_unsupported_arch_or_kernel_message():
    from sgmv.dispatch import Problem, select
    problem = Problem("shrink", "bf16", 16, 4096, 8, 1, True)
    with pytest.raises(sgmv.UnsupportedError, match=r"no compiled shrink kernel runs bf16 r=16 h_in=4096"):
        select(problem, [k for k in KERNELS if k.op == "expand"])


# ---- rows in any order, output slices, true ranks (issue 4) through the public ops ---------------

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
    a, b = random_weights(n_lora, rank, h_in, h_out, dtype, gen)
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
    pairs = [random_weights(n_lora, rank if i % 2 == 0 else max(1, rank // 2 // 8 * 8), h_in, h, dtype, gen)
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
@pytest.mark.parametrize("order", ["segments", "tokens"])
@pytest.mark.parametrize("outs, ranks, rows, taken", [
    ((4096, 4096), (64, 64), 1024, True),  # wide slices at rank 64
    ((14336, 14336), (128, 128), 48, None),  # a decode batch: two slices at rank 128, one launch each
    ((4096, 1024, 1024), (64, 64, 64), 1000, None),  # q + k + v at rank 64 (narrow slices: rank halves or not)
    ((2048, 2048, 520), (128, 128, 128), 700, None),
    ((14336, 14336), (16, 16), 1100, True),  # gate + up at rank 16: x a small share of the bytes
    ((4096, 1024, 1024), (16, 16, 16), 1100, False),  # q + k + v at rank 16: the launch pair
    ((1040, 8, 520), (64, 128, 64), 600, None),  # slices off the tiles, ranks mixed
], ids=["wide64", "decode128", "qkv64", "r128", "gate_up16", "qkv16", "odd"])
def test_packed_calls_one_call_a_slice(outs, ranks, rows, taken, order, dtype, monkeypatch):
    """A packed call the rule runs one one-slice call a slice (slice_calls; `taken`: whether it
    must, None either way: whether each slice's plan is one launch depends on the device's occupancy): against the
    float64 reference and against the launch pair (the rule off), rows without an adapter untouched, per-adapter
    scales, rows grouped in segments or in token order."""
    h_in, n_lora = 2048, 5
    gen = torch.Generator().manual_seed(rows + sum(ranks))
    pairs = [random_weights(n_lora, r, h_in, h, dtype, gen) for r, h in zip(ranks, outs)]
    a, b = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    if order == "tokens":
        batch = sgmv.LoraBatch.from_token_loras(torch.tensor(token_loras(rows, n_lora, rows), device=DEV))
    else:  # uneven segments, an empty one and a -1 adapter among them
        sizes = [rows // 3, 0, 1, rows // 4, rows - rows // 3 - 1 - rows // 4]
        batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], [2, 0, 4, -1, 1], device=DEV)
    scales = torch.rand(n_lora, generator=gen).to(DEV) + 0.5
    y0 = torch.randn(rows, sum(outs), generator=gen).to(dtype).to(DEV)
    decisions = []  # whether add_lora ran the call a slice at a time (cuda_ops._slice_calls: the rule's calls, or None)
    calls_of = cuda_ops._slice_calls
    monkeypatch.setattr(cuda_ops, "_slice_calls", lambda *args: decisions.append(calls_of(*args)) or decisions[-1])
    poison_allocator(DEV)
    y = y0.clone()
    sgmv.add_lora(y, x, a, b, batch, scale=scales, slices=outs)
    assert len(decisions) == 1 and (taken is None or (decisions[0] is not None) == taken), decisions
    want = reference.add_lora_delta(x, a, b, batch, 1.0, scales, compute_dtype=torch.float64)
    untouched = ~covered_rows(batch, rows, n_lora).to(DEV)
    check_delta(y, y0, want, dtype, untouched)
    monkeypatch.setattr(slice_calls, "SLICE_CALLS", 0)
    monkeypatch.setattr(slice_calls, "PACKED_LAUNCH", 0)
    pair = y0.clone()
    sgmv.add_lora(pair, x, a, b, batch, scale=scales, slices=outs)
    assert rel_error(y.double() - y0.double(), pair.double() - y0.double()) < TOLERANCE[dtype] / 4


PACKED_KERNELS = [k for k in KERNELS if k.op == "fused" and k.packed]


def _packed_problem(rank, outs, rows, layout, dtype, seed):
    """A packed call's data: x, every slice's A and B, y, its batch (`layout`: "segments" uneven, one empty and a -1
    adapter among them; "tokens" rows in token order; "identical" one adapter for every row; "many" 32 short segments,
    empty ones and -1 among them, lengths the host knows) and per-adapter scales."""
    h_in, n_lora = 1024, 5
    gen = torch.Generator().manual_seed(seed)
    weights = [random_weights(n_lora, rank, h_in, h, dtype, gen) for h in outs]
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    if layout == "tokens":
        batch = sgmv.LoraBatch.from_token_loras(torch.tensor(token_loras(rows, n_lora, seed), device=DEV))
    elif layout == "identical":
        batch = sgmv.LoraBatch.from_segments([0, rows], [2], device=DEV)
    elif layout == "many":  # 32 segments of 0-3 rows and the rest in the last, adapters -1 to 4 in turn
        sizes = [i % 4 for i in range(31)]
        sizes.append(rows - sum(sizes))
        batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], [i % 6 - 1 for i in range(32)],
                                             device=DEV)
    else:
        sizes = [rows // 3, 0, 1, rows // 4, rows - rows // 3 - 1 - rows // 4]
        batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], [2, 0, 4, -1, 1], device=DEV)
    scales = torch.rand(n_lora, generator=gen).to(DEV) + 0.5
    y0 = torch.randn(rows, sum(outs), generator=gen).to(dtype).to(DEV)
    return x, tuple(w[0] for w in weights), tuple(w[1] for w in weights), y0, batch, scales, n_lora


@pytest.mark.parametrize("outs", [(1024, 520), (1024, 256, 264)], ids=["two", "three"])
@pytest.mark.parametrize("layout, rows", [("segments", 1), ("segments", 16), ("segments", 64), ("tokens", 64),
                                          ("identical", 160), ("ranks", 64), ("many", 56)])
@pytest.mark.parametrize("kernel", PACKED_KERNELS or [None], ids=lambda k: k.name if k else "none")
def test_packed_launch_of_each_kernel(kernel, layout, rows, outs):
    """A packed call (two or three slices of other widths) in one launch of each kernel for packed calls, forced:
    against the float64 reference, rows without an adapter untouched; again right after (the grid handoff's other
    buffer of v, which the first launch zeroed over every slice's rows); and captured in a CUDA graph, replayed twice.
    "ranks": the segments' batch with a table of true ranks and NaN in every weight past them; "many": 32 segments."""
    if kernel is None:
        pytest.skip("this build has no kernel for packed calls (SGMV_KERNELS left them out)")
    dtype = DTYPES[kernel.dtype]
    x, a, b, y0, batch, scales, n_lora = _packed_problem(kernel.rank, outs, rows, layout, dtype, rows + kernel.rank)
    ranks = true_ranks(n_lora, kernel.rank, rows).to(DEV) if layout == "ranks" else None
    clean = (a, b)
    if ranks is not None:
        clean = tuple(w.clone() for w in a), tuple(w.clone() for w in b)
        for w_a, w_b in zip(a, b):
            poison_past_rank(w_a, w_b, ranks.cpu())
        for w_a, w_b in zip(*clean):
            poison_past_rank(w_a, w_b, ranks.cpu())
            w_a.nan_to_num_(0.0), w_b.nan_to_num_(0.0)
    longest = batch.max_segment_rows if layout == "many" else -1  # (a per-segment grid of 96 segments of 56 rows
    # would not fit a GPU at once)
    rows_ = Rows(*batch.kernel_segments(n_lora), batch.row_index, ranks, max_segment_rows=longest)
    want = reference.add_lora_delta(x, *clean, batch, 0.5, scales, compute_dtype=torch.float64)
    untouched = ~covered_rows(batch, rows, n_lora).to(DEV)
    poison_allocator(DEV)
    for _ in range(2):
        y = y0.clone()
        cuda_ops.add_lora(y, x, a, b, rows_, scales, 0.5, fused=kernel)
        check_delta(y, y0, want, dtype, untouched)
    if not torch.cuda.is_available():  # SGMV_EMULATE: no graphs
        return
    y = y0.clone()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        cuda_ops.add_lora(y, x, a, b, rows_, scales, 0.5, fused=kernel)
    for _ in range(2):
        y.copy_(y0)
        graph.replay()
        torch.cuda.synchronize()
        check_delta(y, y0, want, dtype, untouched)


@pytest.mark.parametrize("flat", [0, 1], ids=["per_segment", "flat_too"])
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows", [1, 16, 64, 200])
@pytest.mark.parametrize("rank, outs", [(16, (14336, 14336)), (32, (1024, 1024)), (64, (14336, 14336)),
                                        (64, (4096, 1024)), (16, (4096, 1024, 1024)), (32, (4096, 1024, 1024))],
                         ids=["gate_up16", "kv32", "gate_up64", "wide_narrow64", "qkv16", "qkv32"])
def test_packed_launches_dispatch_picks(rank, outs, rows, dtype, flat, monkeypatch):
    """With slice_calls.PACKED_LAUNCH on, packed decode calls of two and three slices at ranks 16-64 (rows in token
    order, so lengths the host does not know) against the float64 reference and against the launch pair
    (PACKED_LAUNCH off), with the kernels for packed calls on the flat grid out of dispatch and in it (PACKED_FLAT).
    Up to 16 rows dispatch must give them a kernel for packed calls (it does on the stand-in H200 at every size
    here); from 64 the GPU's occupancy may leave one to the pair."""
    monkeypatch.setattr(slice_calls, "PACKED_LAUNCH", 1)
    monkeypatch.setattr(slice_calls, "PACKED_FLAT", flat)
    x, a, b, y0, batch, scales, n_lora = _packed_problem(rank, outs, rows, "tokens", dtype, rows + rank)
    picked = []
    packed_launch = cuda_ops._packed_launch
    monkeypatch.setattr(cuda_ops, "_packed_launch", lambda *args: picked.append(packed_launch(*args)) or picked[-1])
    poison_allocator(DEV)
    y = y0.clone()
    sgmv.add_lora(y, x, a, b, batch, scale=scales, slices=outs)
    want = reference.add_lora_delta(x, a, b, batch, 1.0, scales, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))
    assert len(picked) == 1
    if PACKED_KERNELS and rows <= 16:
        assert picked[0] is not None and picked[0][1].packed, picked
    monkeypatch.setattr(slice_calls, "PACKED_LAUNCH", 0)
    pair = y0.clone()
    sgmv.add_lora(pair, x, a, b, batch, scale=scales, slices=outs)
    assert rel_error(y.double() - y0.double(), pair.double() - y0.double()) < TOLERANCE[dtype] / 4


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows", [1, 64, 1000])
@pytest.mark.parametrize("rank, h", [(64, 4096), (128, 2048), (16, 1000), (24, 1001)])
def test_true_ranks_equal_zero_padded_weights(rank, h, rows, dtype):
    """Adapters of mixed true ranks stacked padded to the largest: with `ranks` and NaN padding, the result is
    that of the same weights zero-padded without `ranks`."""
    n_lora = 6
    gen = torch.Generator().manual_seed(rank + rows)
    ranks = true_ranks(n_lora, rank, rows).to(DEV)
    a, b = random_weights(n_lora, rank, h, h, dtype, gen)
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
    pairs = [random_weights(n_lora, rank, h_in, h, torch.bfloat16, gen) for h in outs]
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
    a, b = random_weights(5, rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    problem = Problem.for_shrink(x, [a], batch.num_segments, batch.max_segment_rows)
    assert plan(problem, cuda_ops._installed_kernel(problem, x.device.index), 132, partial=True).flat
    poison_allocator(DEV)
    y = y0.clone()
    sgmv.add_lora(y, x, a, b, batch, scale=0.5)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, 5).to(DEV))



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
    pairs = [random_weights(n_lora, rank, h_in, h, dtype, gen) for h in outs]
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
    # two roundings of y where add_lora may run as two half-rank launches (one_launch.rank_split)
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
