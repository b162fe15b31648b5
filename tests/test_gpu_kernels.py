"""Every compiled kernel and the public ops on the GPU, against a float64 reference on fresh random data.

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import random
import zlib

import pytest
import torch

import sgmv
from sgmv import cuda_ops, loader, manifest, reference
from sgmv.dispatch import Problem, plan
from conftest import LAYOUTS, TOLERANCE, Case, covered_rows, poison_allocator, rel_error, requires_gpu

pytestmark = requires_gpu
DEV = "cuda"
KERNELS = manifest.load().kernels
DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


def _shape_for(kernel) -> tuple[int, int]:
    """(rank, hidden) that this kernel serves: its own, or off-grid sizes for the generic kernels."""
    rng = random.Random(kernel.name)
    rank = kernel.rank or (rng.choice([24, 40, 72, 136]) if kernel.vectorized else rng.choice([1, 5, 13, 67]))
    if kernel.hidden:
        return rank, kernel.hidden
    return rank, (rng.choice([1000, 1032, 1544]) if kernel.vectorized else rng.choice([999, 1001, 130]))


def check_delta(y_out, y_in, want_delta, dtype, untouched_rows):
    err = rel_error(y_out.double() - y_in.double(), want_delta)
    assert err < TOLERANCE[dtype], f"relative error {err:.2e} >= {TOLERANCE[dtype]:.0e}"
    assert torch.equal(y_out[untouched_rows], y_in[untouched_rows]), "rows without an adapter changed"


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
def test_kernel(kernel):
    """One compiled kernel on ~300 rows mixing long, short and empty segments and -1 adapters."""
    dtype = DTYPES[kernel.dtype]
    rank, hidden = _shape_for(kernel)
    other = 1032 if kernel.vectorized else 1001  # the dimension this kernel does not specialize
    h_in, h_out = (hidden, other) if kernel.op == "shrink" else (other, hidden)
    case = Case(rows=311, h_in=h_in, h_out=h_out, rank=rank, n_lora=5, dtype=dtype, layout="negative",
                device=DEV, seed=zlib.crc32(kernel.name.encode()) % 1000)
    b = case.batch
    poison_allocator(DEV)
    if kernel.op == "shrink":
        v = torch.zeros(case.rows, rank, device=DEV)
        cuda_ops.shrink_into(v, case.x, case.lora_a, b.seg_indptr, b.lora_indices, None, 0.75, kernel=kernel)
        want = reference.shrink(case.x, case.lora_a, b, 0.75, compute_dtype=torch.float64)
        assert rel_error(v, want) < TOLERANCE[dtype] / 4
    else:
        v = torch.randn(case.rows, rank, device=DEV)
        y = case.y.clone()
        cuda_ops.expand(y, v, case.lora_b, b.seg_indptr, b.lora_indices, case.scales, 0.75, kernel=kernel)
        want = reference.expand_delta(v, case.lora_b, b, 0.75, case.scales, compute_dtype=torch.float64)
        check_delta(y, case.y, want, dtype, ~covered_rows(b, case.rows, 5).to(DEV))
    torch.cuda.synchronize()


SPLIT_CASES = [(k, c) for k in KERNELS for c in ((1, 2) if k.op == "shrink" else (1,))]


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
    batch = (b.seg_indptr, b.lora_indices)
    extra = dict(k_splits=splits, partials=1, split_stride=case.rows * rank)
    sms = loader.device(0).num_sms
    if kernel.op == "shrink":
        problem = Problem.for_shrink(case.x, case.lora_a, b.num_segments)
        geometry = plan(problem, kernel, sms)
        n_chunks = geometry.grid[1] // geometry.k_splits
        geometry = dataclasses.replace(geometry, grid=(geometry.grid[0], splits * cluster * n_chunks, geometry.grid[2]),
                                       k_splits=splits * cluster, cluster=cluster)
        params = cuda_ops._shrink_params(v, case.x, case.lora_a, (*batch, None, 1.0), k_splits=splits * cluster,
                                         cluster_splits=cluster, partials=1, split_stride=case.rows * rank)
        loader.launch(kernel, geometry, params, case.x)
        rows = covered_rows(b, case.rows, 4).to(DEV)
        want = reference.shrink(case.x, case.lora_a, b, compute_dtype=torch.float64)
        assert not v[:, rows].isnan().any(), "every split wrote its slice of the covered rows"
        assert rel_error(v.sum(0)[rows], want[rows]) < TOLERANCE[dtype] / 4
    else:
        parts = torch.randn(splits, case.rows, rank, device=DEV)
        y = case.y.clone()
        problem = Problem.for_expand(y, parts[0], case.lora_b, b.num_segments)
        loader.launch(kernel, plan(problem, kernel, sms),
                      cuda_ops._expand_params(y, parts, case.lora_b, (*batch, None, 0.5), **extra), y)
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
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    for _ in range(2):
        y.copy_(case.y)
        graph.replay()
        torch.cuda.synchronize()
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
