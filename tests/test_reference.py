"""The torch reference against a row-by-row loop, and the CPU path of the public ops (no GPU needed)."""
import pytest
import torch

import sgmv
from sgmv import reference
from conftest import LAYOUTS, Case, rel_error


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
                          (case.x, [case.lora_a], b.seg_indptr, b.lora_indices, None, None, None, 1.0))
    v = torch.randn(case.rows, 4)
    torch.library.opcheck(torch.ops.sgmv.expand.default,
                          (case.y.clone(), v, [case.lora_b], b.seg_indptr, b.lora_indices, None, None, case.scales, 0.5))
    torch.library.opcheck(torch.ops.sgmv.add_lora.default, (case.y.clone(), case.x, [case.lora_a], [case.lora_b],
                                                            b.seg_indptr, b.lora_indices, None, None, None, 0.5))
    # rows in any order, two output slices, true ranks
    tb = sgmv.LoraBatch.from_token_loras([1, -1, 0, 1, 0, 0, 1, -1, 1])
    ranks = torch.tensor([2, 4])
    y = torch.randn(case.rows, 8 + 8)
    torch.library.opcheck(torch.ops.sgmv.add_lora.default,
                          (y, case.x, [case.lora_a, case.lora_a], [case.lora_b, case.lora_b], tb.seg_indptr,
                           tb.lora_indices, tb.row_index, ranks, None, 0.5))
