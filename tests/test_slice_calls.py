"""A packed add_lora (several output slices) as one one-slice add_lora a slice (sgmv/slice_calls.py), on the CPU: which
calls the rule takes (ranks, rows, x's share of the bytes, each slice's plan), and the launches cuda_ops.add_lora makes
for them on a stand-in sm_90 device: each slice's one-launch kernel over its own columns of y, or the launch pair."""
import dataclasses
import itertools
import pathlib
import types

import pytest
import torch

from sgmv import cuda_ops, dispatch, manifest, reference, slice_calls
from sgmv.batch import LoraBatch
from sgmv.dispatch import Problem
from sgmv.errors import UnsupportedError
from conftest import covered_rows
from dispatch_records import AVAILABLE, GRID_FUSED, GRID_PREFILL, shipped

KERNELS = tuple(GRID_FUSED + GRID_PREFILL + AVAILABLE)
BENCHMARKS = str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks")
DEVICE = types.SimpleNamespace(arch=90, num_sms=132, max_smem_per_block=cuda_ops.loader.SM90_SMEM_PER_BLOCK,
                               resident_blocks=lambda kernel: 1,
                               resident_clusters=lambda kernel, cluster: 132 // cluster)
ONE = ("a launch",)  # a plan of one step


def slices(outs, rank=64, rows=1024, segments=16, h_in=4096):
    return [Problem("fused", "bf16", rank, h_in, rows, segments, True, (h,), (rank,), -(-rows // segments))
            for h in outs]


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
    monkeypatch.syspath_prepend(BENCHMARKS)
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


# ---- one packed launch: the fused kernel's variant for packed calls (slice_calls.packed_problem, packed_kernel) ----

SHIPPED_FUSED = shipped("sgmv_fused_*")


def test_a_packed_problem_counts_every_slice_s_blocks_and_rows():
    """Its rows and segments are every slice's (grid x, v's rows in the handoff's buffer), its h_out the widest."""
    packed = slice_calls.packed_problem(slices((14336, 14336), 64, rows=64, segments=8))
    assert (packed.pairs, packed.num_rows, packed.num_segments, packed.slice_hidden) == (2, 128, 16, (14336,))
    qkv = slice_calls.packed_problem(slices((1024, 4096, 1024), 16, rows=1, segments=1))
    assert (qkv.pairs, qkv.num_rows, qkv.num_segments, qkv.slice_hidden) == (3, 3, 3, (4096,))


def test_a_packed_launch_declines_what_one_kernel_cannot_take():
    """One slice, more than a pair of SgmvParams.slices each, ranks, h_in, dtypes, rows or segments that differ,
    unaligned rows, B's rows narrower than the rank."""
    two = slices((4096, 4096), 32, rows=16)
    assert slice_calls.packed_problem(two) is not None
    assert slice_calls.packed_problem(two[:1]) is None
    assert slice_calls.packed_problem(slices((4096,) * (slice_calls.PACKED_MAX_SLICES + 1), 32)) is None
    for change in (dict(rank=16, slice_ranks=(16,)), dict(hidden=2048), dict(dtype="fp16"), dict(num_rows=17),
                   dict(num_segments=2), dict(aligned=False), dict(narrow_weights=True, true_ranks=True)):
        assert slice_calls.packed_problem([two[0], dataclasses.replace(two[1], **change)]) is None, change


@pytest.mark.parametrize("rank", [16, 32, 64])
def test_kernels_for_packed_calls_run_packed_launches_only(rank, monkeypatch):
    """The build has them at ranks 16-64; dispatch gives a one-slice call none of them and a packed launch nothing
    else, and for decode batches of gate + up and k + v (up to 256 rows) and q + k + v (up to 64) it finds one, on the
    flat grid where the host does not know the segments' lengths (from 64 rows; with PACKED_FLAT on)."""
    monkeypatch.syspath_prepend(BENCHMARKS)
    import dispatch_picks
    for h_in, outs in ((4096, (14336, 14336)), (4096, (1024, 1024)), (8192, (8192, 8192)), (4096, (4096, 1024, 1024))):
        for rows, segments in ((1, 1), (16, 1), (16, 16), (64, 8), (256, 16))[:None if len(outs) == 2 else -1]:
            one = slices(outs, rank, rows, segments, h_in)
            picked = dispatch.prefers_fused(one[0], SHIPPED_FUSED, 132, dispatch_picks.resident_blocks)
            assert picked is None or not picked.packed
            kernel = slice_calls.packed_kernel(slice_calls.packed_problem(one), SHIPPED_FUSED, 132,
                                               dispatch_picks.resident_blocks)
            assert kernel is not None and kernel.packed and kernel.rank == rank, (h_in, outs, rows, segments)
            # lengths the host does not know (rows in token order): from 64 rows the flat grid's kernel, or with
            # PACKED_FLAT off none (the pair)
            unknown = slice_calls.packed_problem([dataclasses.replace(p, max_segment_rows=-1) for p in one])
            for flat in (0, 1):
                monkeypatch.setattr(slice_calls, "PACKED_FLAT", flat)
                kernel = slice_calls.packed_kernel(unknown, SHIPPED_FUSED, 132, dispatch_picks.resident_blocks)
                if flat or rows < 64:
                    assert kernel is not None and kernel.packed and kernel.flat_tiles == (rows >= 64), (outs, rows)
                else:
                    assert kernel is None, (outs, rows, segments)


@pytest.fixture
def launched_packed(monkeypatch):
    """add_lora's launches over the default build's fused kernels and the records above on the stand-in H200
    (benchmarks/stub_device.py): (kernel, grid, slices' w, B's y_col and hidden, num_slices) each."""
    monkeypatch.syspath_prepend(BENCHMARKS)
    import stub_device
    got = []

    def record(kernel, geometry, params, tensor, overlap_previous=False):
        used = params.slices[:params.num_slices]
        got.append((kernel, geometry.grid, [s.w for s in used], [s.y_col for s in used[1::2]],
                    [s.hidden for s in used[1::2]], params.num_slices))

    kernels = SHIPPED_FUSED + tuple(k for k in KERNELS if k.op != "fused")
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=kernels))
    with stub_device.stubbed(record):
        yield got


@pytest.mark.parametrize("outs", [(1024, 2048), (4096, 1024, 1024)], ids=["two", "qkv"])
def test_a_packed_launch_gives_each_slice_its_pair_and_columns(outs, launched_packed, monkeypatch):
    """With PACKED_LAUNCH on, a packed call over 64 rows in 8 segments is one launch of a kernel for packed calls: grid
    x the segments of every slice, slices (A_0, B_0, A_1, B_1, ...), each B's columns of y after the one before; off,
    the launch pair."""
    monkeypatch.setattr(slice_calls, "PACKED_LAUNCH", 1)
    y, a, b = _packed_call(outs, 64, 64, 8)
    [(kernel, grid, ws, y_cols, hidden, count)] = launched_packed
    assert kernel.packed and grid[0] == len(outs) * 8 and count == 2 * len(outs)
    assert ws == [w.data_ptr() for pair in zip(a, b) for w in pair]
    assert (y_cols, hidden) == (list(itertools.accumulate((0,) + outs[:-1])), list(outs))
    launched_packed.clear()
    monkeypatch.setattr(slice_calls, "PACKED_LAUNCH", 0)
    _packed_call(outs, 64, 64, 8)
    assert [got[0].op for got in launched_packed] == ["shrink", "expand"]


def test_a_forced_kernel_for_packed_calls_runs_them_or_says_why_not(launched_packed):
    """A kernel for packed calls given as `fused` runs a packed call in one launch whatever PACKED_LAUNCH says, and a
    one-slice call as one pair; a packed call it cannot take (more slices than SgmvParams holds pairs of, another rank)
    raises."""
    kernel = next(k for k in SHIPPED_FUSED if k.packed and k.rank == 32 and k.dtype == "bf16")
    _packed_call((1024, 1024), 32, 16, 4, fused=kernel)
    _packed_call((1024,), 32, 16, 4, fused=kernel)
    most = slice_calls.PACKED_MAX_SLICES
    _packed_call((1024,) * most, 32, 16, 4, fused=kernel)
    assert [(got[0], got[1][0], got[5]) for got in launched_packed] == [(kernel, 2 * 4, 4), (kernel, 4, 2),
                                                                        (kernel, most * 4, 2 * most)]
    for outs, rank in (((1024,) * (slice_calls.PACKED_MAX_SLICES + 1), 32), ((1024, 1024), 64)):
        with pytest.raises(UnsupportedError, match=kernel.name):
            _packed_call(outs, rank, 16, 4, fused=kernel)


@pytest.mark.parametrize("rank", [16, 32, 64])
def test_packed_launches_compute_the_reference_on_the_emulated_device(rank, monkeypatch):
    """Packed calls of two and three slices of different widths (segments with an empty one and a -1 adapter, or rows
    in token order; per-adapter scales; a table of true ranks), each launch computed from its SgmvParams by
    benchmarks/emulated_device.py: through dispatch with PACKED_LAUNCH on and with each kernel for packed calls of the
    rank forced, the float64 reference's delta within the tolerance; the forced kernel's one launch, and dispatch's
    packed launches on most of them."""
    monkeypatch.syspath_prepend(BENCHMARKS)
    import emulated_device
    import stub_device
    kernels = SHIPPED_FUSED + tuple(k for k in KERNELS if k.op != "fused")
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=kernels))
    monkeypatch.setattr(slice_calls, "PACKED_LAUNCH", 1)
    ops, dispatched_packed = [], 0
    launch = lambda kernel, *args, **kwargs: (ops.append(kernel), emulated_device.launch(kernel, *args, **kwargs))
    gen = torch.Generator().manual_seed(rank)
    n_lora, h_in = 5, 512
    forced = [None] + [k for k in SHIPPED_FUSED if k.packed and k.rank == rank and k.dtype == "bf16"]
    with stub_device.stubbed(launch):
        for rows, order, fused, outs in itertools.product((1, 16, 64), ("segments", "tokens"), forced,
                                                          ((256, 640), (512, 128, 128))):
            x = torch.randn(rows, h_in, generator=gen).to(torch.bfloat16)
            a = [torch.randn(n_lora, rank, h_in, generator=gen).to(torch.bfloat16) for _ in outs]
            b = [torch.randn(n_lora, h, rank, generator=gen).to(torch.bfloat16) for h in outs]
            y0 = torch.randn(rows, sum(outs), generator=gen).to(torch.bfloat16)
            if order == "tokens":
                batch = LoraBatch.from_token_loras(torch.randint(-1, n_lora, (rows,), generator=gen))
            else:
                sizes = [rows // 2, 0, rows - rows // 2]
                batch = LoraBatch.from_segments([0, *itertools.accumulate(sizes)], [3, 0, -1 if rows > 1 else 1])
            scales = torch.rand(n_lora, generator=gen) + 0.5
            ranks = torch.randint(1, rank + 1, (n_lora,), generator=gen, dtype=torch.int32)
            for lora, k in enumerate(ranks.tolist()):  # what a kernel reads past an adapter's true rank must not count
                for w_a, w_b in zip(a, b):
                    w_a[lora, k:] = float("nan")
                    w_b[lora, :, k:] = float("nan")
            seg_indptr, lora_indices = batch.kernel_segments(n_lora)
            rows_ = cuda_ops.Rows(seg_indptr, lora_indices, batch.row_index, ranks)
            ops.clear()
            y = y0.clone()
            cuda_ops.add_lora(y, x, a, b, rows_, scales, 0.5, fused=fused)
            if fused is None:  # dispatch: a packed launch, or the pair where slice_calls.packed_kernel declines
                assert [k.op for k in ops] in (["fused"], ["shrink", "expand"]), (rows, order, ops)
                dispatched_packed += ops[0].packed
            else:
                assert ops == [fused], (rows, order, ops)
            clean = [(w_a.nan_to_num(0.0), w_b.nan_to_num(0.0)) for w_a, w_b in zip(a, b)]
            want = reference.add_lora_delta(x, [c[0] for c in clean], [c[1] for c in clean], batch, 0.5, scales,
                                            compute_dtype=torch.float64, ranks=ranks)
            allowed = reference.TOLERANCE[torch.bfloat16] + reference.output_rounding(y, want)
            assert reference.relative_error(y.double() - y0.double(), want) < allowed, (rows, order, fused)
            untouched = ~covered_rows(batch, rows, n_lora)
            assert torch.equal(y[untouched], y0[untouched]), (rows, order, fused)
    assert dispatched_packed >= 6  # of the 12 dispatched calls (the lines of packed_kernel decline the rest)
