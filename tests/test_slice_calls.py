"""A packed add_lora (several output slices) as one one-slice add_lora a slice (sgmv/slice_calls.py), on the CPU: which
calls the rule takes (ranks, rows, x's share of the bytes, each slice's plan), and the launches cuda_ops.add_lora makes
for them on a stand-in sm_90 device: each slice's one-launch kernel over its own columns of y, or the launch pair."""
import dataclasses
import itertools
import pathlib
import types

import pytest
import torch

from sgmv import cuda_ops, manifest, slice_calls
from sgmv.dispatch import Problem
from dispatch_records import AVAILABLE, GRID_FUSED, GRID_PREFILL

KERNELS = tuple(GRID_FUSED + GRID_PREFILL + AVAILABLE)
DEVICE = types.SimpleNamespace(arch=90, num_sms=132, max_smem_per_block=cuda_ops.loader.SM90_SMEM_PER_BLOCK,
                               resident_blocks=lambda kernel: 1,
                               resident_clusters=lambda kernel, cluster: 132 // cluster)
ONE = ("a launch",)  # a plan of one step


def slices(outs, rank=64, rows=1024, segments=16, h_in=4096):
    return [Problem("fused", "bf16", rank, h_in, rows, segments, True, (h,), (rank,)) for h in outs]


def test_wide_ranks_from_512_rows_and_rank_128_s_two_slices_below():
    """Ranks 64 and up from 512 rows; below them rank 128's calls of two slices (two launches, as the pair)."""
    for rank in (64, 128):
        assert slice_calls.one_call_a_slice(slices((4096, 1024, 1024), rank, rows=512), [ONE] * 3)
        assert not slice_calls.one_call_a_slice(slices((4096, 1024, 1024), rank, rows=511), [ONE] * 3)
    assert slice_calls.one_call_a_slice(slices((14336, 14336), 128, rows=1), [ONE] * 2)
    for rank in (32, 64):
        assert not slice_calls.one_call_a_slice(slices((14336, 14336), rank, rows=511), [ONE] * 2)
    mixed = slices((4096,), 64) + slices((1024,), 32)  # the smallest rank decides
    assert not slice_calls.one_call_a_slice(mixed, [ONE] * 2)


def test_narrow_ranks_where_x_is_a_small_share_of_the_bytes():
    """Ranks under 64 from 1024 rows, where x's extra reads are at most a tenth of the call's bytes: gate + up's
    wide slices, not q + k + v's (x there is ~39% of the bytes again)."""
    gate_up, qkv = slices((14336, 14336), 16), slices((4096, 1024, 1024), 16)
    assert slice_calls.extra_x_share(1024, 4096, 16, (16, 16), (14336, 14336)) == pytest.approx(0.058, abs=0.002)
    assert slice_calls.extra_x_share(1024, 4096, 16, (16,) * 3, (4096, 1024, 1024)) == pytest.approx(0.387, abs=0.002)
    assert slice_calls.one_call_a_slice(gate_up, [ONE] * 2)
    assert not slice_calls.one_call_a_slice(qkv, [ONE] * 3)
    assert not slice_calls.one_call_a_slice(slices((14336, 14336), 16, rows=1023), [ONE] * 2)


def test_only_where_every_slice_is_one_launch():
    """A slice on the launch pair (no plan) or run in parts of its rank (a plan of two launches) keeps the call on
    the pair; one slice, or the switch off, too."""
    problems = slices((4096, 4096), 128, rows=4096)
    assert slice_calls.one_call_a_slice(problems, [ONE] * 2)
    assert not slice_calls.one_call_a_slice(problems, (ONE, None))
    assert not slice_calls.one_call_a_slice(problems, (ONE, ("half", "half")))
    assert not slice_calls.one_call_a_slice(problems[:1], [ONE])
    try:
        slice_calls.SLICE_CALLS = 0
        assert not slice_calls.one_call_a_slice(problems, [ONE] * 2)
    finally:
        slice_calls.SLICE_CALLS = 1


@dataclasses.dataclass
class Launched:
    op: str
    a: int  # slices[0].w
    b: int  # slices[1].w
    y: int
    ld_y: int


@pytest.fixture
def launched(monkeypatch):
    """The launches add_lora makes, recorded in place of the driver's, over KERNELS on DEVICE."""
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import stub_device
    got: list[Launched] = []

    def record(kernel, geometry, params, tensor, overlap_previous=False):
        got.append(Launched(kernel.op, params.slices[0].w, params.slices[1].w, params.y, params.ld_y))

    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=KERNELS))
    with stub_device.stubbed(record, DEVICE):
        yield got


def _packed_call(outs, rank, rows, segments, h_in=4096, **kwargs):
    x = torch.empty(rows, h_in, dtype=torch.bfloat16)
    y = torch.empty(rows, sum(outs) + 8, dtype=torch.bfloat16)[:, :sum(outs)]  # y's rows strided
    a = [torch.empty(4, rank, h_in, dtype=torch.bfloat16) for _ in outs]
    b = [torch.empty(4, h, rank, dtype=torch.bfloat16) for h in outs]
    bounds = [rows * i // segments for i in range(segments + 1)]
    batch = cuda_ops.Rows(torch.tensor(bounds, dtype=torch.int32), torch.arange(segments, dtype=torch.int32) % 4,
                          max_segment_rows=max(q - p for p, q in zip(bounds, bounds[1:])))
    cuda_ops.add_lora(y, x, a, b, batch, None, 0.5, **kwargs)
    return y, a, b


def test_a_packed_call_launches_each_slice_s_kernel_on_its_columns(launched):
    outs = (4096, 1024, 1024)
    y, a, b = _packed_call(outs, 64, 1024, 16)
    assert [got.op for got in launched] == ["prefill"] * 3
    cols = itertools.accumulate((0,) + outs[:-1])
    for got, a_i, b_i, col in zip(launched, a, b, cols):
        assert (got.a, got.b) == (a_i.data_ptr(), b_i.data_ptr())
        assert (got.y, got.ld_y) == (y.data_ptr() + col * y.element_size(), y.stride(0))


def test_packed_calls_the_rule_leaves_on_the_launch_pair(launched):
    for outs, rank, rows in (((4096, 1024, 1024), 64, 256), ((4096, 1024, 1024), 16, 4096)):
        launched.clear()
        _packed_call(outs, rank, rows, 16)
        assert [got.op for got in launched] == ["shrink", "expand"], (outs, rank, rows)
    launched.clear()
    _packed_call((4096, 1024), 64, 1024, 16, fused=False)  # the caller forbids one-launch kernels
    assert [got.op for got in launched] == ["shrink", "expand"]
