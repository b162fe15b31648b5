"""The torch reference against a row-by-row loop, and the CPU path of the public ops (no GPU needed)."""
import shutil

import pytest
import torch

import sgmv
from sgmv import reference
from conftest import LAYOUTS, Case, poison_past_rank, rel_error, token_loras, true_ranks


def naive_add_lora(case: Case, scale, scales=None):
    """Row by row in float64, straight from the definition."""
    y = case.y.double().clone()
    indptr = case.batch.seg_indptr.tolist()
    n_lora = case.lora_a.shape[0]
    for s, lora in enumerate(case.batch.lora_indices.tolist()):
        for row in range(max(0, indptr[s]), min(indptr[s + 1], case.rows)):
            if 0 <= lora < n_lora:
                sc = scale * (float(scales[lora]) if scales is not None else 1.0)
                h = case.lora_a[lora].double() @ case.x[row].double()
                y[row] += sc * (case.lora_b[lora].double() @ h)
    return y


@pytest.mark.parametrize("layout", LAYOUTS)
def test_reference_matches_naive_loop(layout):
    case = Case(rows=37, h_in=24, h_out=40, rank=5, n_lora=4, dtype=torch.float64, layout=layout, seed=3)
    want = naive_add_lora(case, 0.7, case.scales)
    delta = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.7, case.scales,
                                     compute_dtype=torch.float64)
    assert rel_error(case.y + delta, want) < 1e-12


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_cpu_ops_follow_the_reference(dtype):
    case = Case(rows=50, h_in=32, h_out=48, rank=8, n_lora=3, dtype=dtype, layout="negative", seed=1)
    want = naive_add_lora(case, 0.5)
    y = case.y.clone()
    out = sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    assert out is y
    assert rel_error(y.double() - case.y.double(), want - case.y.double()) < (1e-5 if dtype == torch.float32 else 1e-2)
    v = sgmv.shrink(case.x, case.lora_a, case.batch, scale=2.0)
    assert v.dtype == torch.float32 and v.shape == (case.rows, 8)
    y2 = case.y.clone()
    sgmv.expand(y2, v, case.lora_b, case.batch, scale=0.25)
    assert rel_error(y2.double() - case.y.double(), want - case.y.double()) < (1e-5 if dtype == torch.float32 else 1e-2)


def test_per_adapter_scale_on_cpu():
    case = Case(rows=20, h_in=16, h_out=16, rank=4, n_lora=3, dtype=torch.float64, layout="uniform", seed=2)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=case.scales.double())
    assert rel_error(y, naive_add_lora(case, 1.0, case.scales)) < 1e-6  # float32 intermediate


def test_custom_ops_pass_opcheck():
    case = Case(rows=9, h_in=16, h_out=8, rank=4, n_lora=2, dtype=torch.float32, layout="uniform", seed=4)
    b = case.batch
    torch.library.opcheck(torch.ops.sgmv.shrink.default,
                          (case.x, [case.lora_a], b.seg_indptr, b.lora_indices, None, None, None, 1.0, -1))
    v = torch.randn(case.rows, 4)
    torch.library.opcheck(torch.ops.sgmv.expand.default,
                          (case.y.clone(), v, [case.lora_b], b.seg_indptr, b.lora_indices, None, None, case.scales, 0.5,
                           3))
    torch.library.opcheck(torch.ops.sgmv.add_lora.default, (case.y.clone(), case.x, [case.lora_a], [case.lora_b],
                                                            b.seg_indptr, b.lora_indices, None, None, None, 0.5, -1,
                                                            True))
    # rows in any order, two output slices, true ranks
    tb = sgmv.LoraBatch.from_token_loras([1, -1, 0, 1, 0, 0, 1, -1, 1])
    ranks = torch.tensor([2, 4])
    y = torch.randn(case.rows, 8 + 8)
    torch.library.opcheck(torch.ops.sgmv.add_lora.default,
                          (y, case.x, [case.lora_a, case.lora_a], [case.lora_b, case.lora_b], tb.seg_indptr,
                           tb.lora_indices, tb.row_index, ranks, None, 0.5, -1, False))



@pytest.mark.parametrize("backend", ["aot_eager", "inductor"])
def test_ops_under_torch_compile_write_y_as_eagerly(backend):
    """torch.compile through AOT autograd (the ops' schemas say which argument each writes, the fakes give the
    shapes): the graph functionalizes the writes to y and writes the result back, as the eager ops do."""
    if backend == "inductor" and not any(shutil.which(cc) for cc in ("g++", "c++", "clang++")):
        pytest.skip("inductor on the CPU needs a C++ compiler; none is on PATH")
    case = Case(rows=21, h_in=16, h_out=24, rank=4, n_lora=3, dtype=torch.float32, layout="negative", seed=6)

    def layer(y, x):
        v = sgmv.shrink(x, case.lora_a, case.batch, scale=2.0)
        sgmv.expand(y, v, case.lora_b, case.batch, scale=0.25)
        return sgmv.add_lora(y, x, case.lora_a, case.lora_b, case.batch, scale=case.scales)

    want, got = case.y.clone(), case.y.clone()
    layer(want, case.x)
    torch._dynamo.reset()
    out = torch.compile(layer, backend=backend, fullgraph=True)(got, case.x)
    assert out.data_ptr() == got.data_ptr() and torch.allclose(got, want, rtol=1e-6, atol=1e-6)
    assert not torch.equal(got, case.y)


def test_ops_bump_the_version_of_the_y_they_write():
    """Autograd's record of in-place writes: an op that writes y bumps y's version counter, so a graph that saved y
    before the write fails on backward instead of computing with the new values."""
    case = Case(rows=9, h_in=16, h_out=8, rank=4, n_lora=2, dtype=torch.float32, layout="uniform", seed=7)
    w = torch.randn(case.rows, 8, requires_grad=True)
    y = w * 1.0
    saved = (y * y).sum()
    version = y._version
    with torch.no_grad():
        sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch)
    assert y._version > version
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.backward()


# ---- rows in any order, output slices, true ranks -------------------------------------------------

def naive_rows(y, x, pairs, idx, scale, scales=None, ranks=None):
    """Row by row in float64 from the definition: row r uses adapter idx[r] (if in range) in every output
    slice (pairs of lora_a, lora_b; y's columns side by side), at the adapter's true rank."""
    y = y.double().clone()
    n_lora = pairs[0][0].shape[0]
    for r, lora in enumerate(idx):
        if not 0 <= lora < n_lora:
            continue
        sc = scale * (float(scales[lora]) if scales is not None else 1.0)
        col = 0
        for a, b in pairs:
            k = a.shape[1] if ranks is None else int(ranks[lora])
            h = a[lora, :k].double() @ x[r].double()
            y[r, col:col + b.shape[1]] += sc * (b[lora, :, :k].double() @ h)
            col += b.shape[1]
    return y


def test_batch_knows_its_longest_segment_only_from_host_data():
    """The kernels size their grids from it (launch_plan._flat_slots): known for host-built segments, unknown
    (None) for device tensors and for rows in any order."""
    assert sgmv.LoraBatch.from_segments([0, 3, 4, 40], [2, -1, 0]).max_segment_rows == 36
    assert sgmv.LoraBatch.from_segments(torch.tensor([0, 5]), torch.tensor([1])).max_segment_rows == 5
    assert sgmv.LoraBatch.from_segments([0], []).max_segment_rows == 0
    assert sgmv.LoraBatch.from_token_loras([1, 1, 0]).max_segment_rows is None
    batch = sgmv.LoraBatch.from_segments([0, 2, 9], [0, 1])
    assert batch.to("cpu").max_segment_rows == 7


def test_from_token_loras_groups_rows_by_adapter():
    batch = sgmv.LoraBatch.from_token_loras(torch.tensor([3, -1, 0, 3, 0, 7, -5, 2], dtype=torch.int64))
    assert batch.num_rows == 8 and batch.distinct_adapters
    assert batch.row_index.dtype == torch.int32 and batch.lora_indices.dtype == torch.int64
    assert sorted(batch.row_index.tolist()) == list(range(8))
    # runs in ascending adapter order, no-LoRA rows last, then empty segments
    assert batch.segments()[:5] == [(0, 2, 0), (2, 3, 2), (3, 5, 3), (5, 6, 7), (6, 8, -1)]
    assert all(b == e == 8 for b, e, _ in batch.segments()[5:])
    assert batch.row_index[:5].tolist() == [2, 4, 7, 0, 3]
    indptr, loras = batch.kernel_segments(4)
    assert indptr.tolist() == [0, 2, 3, 5, 6] and loras.tolist() == [0, 2, 3, 7]
    assert sgmv.LoraBatch.from_token_loras([]).num_segments == 0


@pytest.mark.parametrize("rows", [1, 2, 45])
def test_cpu_ops_rows_in_any_order_slices_and_true_ranks(rows):
    n_lora, h_in = 4, 24
    gen = torch.Generator().manual_seed(rows)
    idx = token_loras(rows, n_lora, rows)
    outs, slice_ranks = (16, 8, 8), (6, 6, 3)
    pairs = [(torch.randn(n_lora, r, h_in, generator=gen, dtype=torch.float64),
              torch.randn(n_lora, h, r, generator=gen, dtype=torch.float64)) for h, r in zip(outs, slice_ranks)]
    ranks = true_ranks(n_lora, 6, rows)
    x = torch.randn(rows, h_in, generator=gen, dtype=torch.float64)
    y0 = torch.randn(rows, sum(outs), generator=gen, dtype=torch.float64)
    scales = torch.rand(n_lora, generator=gen, dtype=torch.float64) + 0.5
    want = y0.clone()
    col = 0
    for (a, b), h in zip(pairs, outs):
        k = torch.clamp(ranks, max=a.shape[1])
        want[:, col:col + h] = naive_rows(y0[:, col:col + h], x, [(a, b)], idx, 0.5, scales, k)
        col += h
    for a, b in pairs:
        poison_past_rank(a, b, torch.clamp(ranks, max=a.shape[1]))
    batch = sgmv.LoraBatch.from_token_loras(idx)
    y = y0.clone()
    sgmv.add_lora(y, x, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), batch, scale=scales * 0.5,
                  slices=outs, ranks=ranks)
    assert rel_error(y, want) < 1e-6  # per-adapter scales travel as float32
    v = sgmv.shrink(x, tuple(p[0] for p in pairs), batch, ranks=ranks)
    assert v.shape == (rows, sum(slice_ranks)) and not v.isnan().any()
    y2 = y0.clone()
    sgmv.expand(y2, v, tuple(p[1] for p in pairs), batch, scale=scales * 0.5, ranks=ranks)
    assert rel_error(y2, want) < 1e-6  # v is float32
