"""The GPU tests' error budget (conftest.output_rounding) on the CPU: it covers the rounding of y to bf16 or fp16
that a correct kernel cannot avoid, and still rejects a delta that is wrong by a few percent."""
import pytest
import torch

from conftest import TOLERANCE, output_rounding, rel_error


def _rounded_add(y0: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """y0 + delta computed exactly and rounded once to y0's dtype: a kernel that makes no other error."""
    return (y0.double() + delta).to(y0.dtype)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows, cols, delta_rms", [(1, 8, 0.15), (1, 8, 0.02), (300, 1032, 0.5), (7, 136, 0.05)])
def test_exact_delta_rounded_once_is_within_budget(rows, cols, delta_rms, dtype):
    gen = torch.Generator().manual_seed(rows * cols)
    for _ in range(20):
        y0 = torch.randn(rows, cols, generator=gen).to(dtype)
        delta = torch.randn(rows, cols, generator=gen, dtype=torch.float64) * delta_rms
        y = _rounded_add(y0, delta)
        assert rel_error(y.double() - y0.double(), delta) < TOLERANCE[dtype] + output_rounding(y, delta)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
def test_a_delta_off_by_five_percent_fails(dtype):
    """A delta 5% too large (a wrong scale) exceeds the budget where delta and y are of one size (the suite's
    random data), and so does one row of the batch left out, or one element left unwritten (NaN)."""
    gen = torch.Generator().manual_seed(5)
    y0 = torch.randn(300, 1032, generator=gen).to(dtype)
    delta = torch.randn(300, 1032, generator=gen, dtype=torch.float64) * 0.5
    budget = TOLERANCE[dtype] + output_rounding(_rounded_add(y0, delta), delta)
    assert budget < 0.02
    wrong = _rounded_add(y0, 1.05 * delta)
    assert rel_error(wrong.double() - y0.double(), delta) > budget
    missing = _rounded_add(y0, delta)
    missing[17] = y0[17]
    assert rel_error(missing.double() - y0.double(), delta) > budget
    unwritten = _rounded_add(y0, delta)
    unwritten[3, 5] = float("nan")  # a poisoned element left in place: the budget is NaN and no comparison passes
    assert not rel_error(unwritten.double() - y0.double(), delta) < (
        TOLERANCE[dtype] + output_rounding(unwritten, delta))


def test_rows_without_a_delta_add_no_budget():
    """Only elements that get a delta count: rows left alone (adapter -1) do not widen the budget."""
    y = torch.randn(100, 64).to(torch.bfloat16)
    delta = torch.zeros(100, 64, dtype=torch.float64)
    delta[:10] = 0.5
    alone = output_rounding(y[:10], delta[:10])
    assert output_rounding(y, delta) == pytest.approx(alone)
