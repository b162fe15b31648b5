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


@pytest.mark.parametrize("bad", ["scaled", "untouched", "nan", "first"])
def test_check_deltas_rejects_any_bad_output(bad):
    """gpu_checks.check_deltas (many launches' outputs checked at once, the first in full) passes outputs rounded once
    from the exact sum and fails where any one of them is off: a delta 5% too large, a row without an adapter
    changed, an element unwritten (NaN), or the first output off."""
    from gpu_checks import check_deltas  # imported here: gpu_checks reads the installed kernels' manifest
    gen = torch.Generator().manual_seed(11)
    y0 = torch.randn(40, 136, generator=gen).to(torch.bfloat16)
    delta = torch.randn(40, 136, generator=gen, dtype=torch.float64)
    delta[33:] = 0
    untouched = torch.zeros(40, dtype=torch.bool)
    untouched[33:] = True
    outputs = [_rounded_add(y0, delta) for _ in range(6)]
    check_deltas(outputs, y0, delta, torch.bfloat16, untouched)
    i = 0 if bad == "first" else 4
    wrong = {"scaled": 1.05 * delta, "first": 1.05 * delta, "untouched": delta, "nan": delta}[bad]
    outputs[i] = _rounded_add(y0, wrong)
    if bad == "untouched":
        outputs[i][35, 7] += 1
    if bad == "nan":
        outputs[i][3, 3] = float("nan")
    with pytest.raises(AssertionError):
        check_deltas(outputs, y0, delta, torch.bfloat16, untouched)
