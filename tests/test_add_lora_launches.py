"""cuda_ops.add_lora's launches on a stand-in sm_90 device (no GPU): each kernel of one_launch_padded.one_launch_plan in
order, over its part of the rank (A's rows and B's columns as views), with a table of the part's rank where its kernel
is a higher rank's, the call's own tables otherwise; the launch pair where the plan has none or the caller forbids it.
The bench names the same kernels (run.kernels_for). The kernels' arithmetic is the GPU tests' (test_gpu_one_launch.py)."""
import dataclasses
import pathlib
import types

import pytest
import torch

from sgmv import cuda_ops, manifest, one_launch_padded
from sgmv.bench import run
from sgmv.bench.cases import BenchCase
from sgmv.dispatch import Problem
from dispatch_records import AVAILABLE, GRID_FUSED, GRID_PREFILL

KERNELS = tuple(GRID_FUSED + GRID_PREFILL + AVAILABLE)
H_IN, H_OUT, N_LORA = 4096, 4096, 3
DEVICE = types.SimpleNamespace(arch=90, num_sms=132, resident_blocks=lambda kernel: 1,
                               resident_clusters=lambda kernel, cluster: 132 // cluster)


@dataclasses.dataclass
class Launched:
    kernel: manifest.KernelRecord
    a: int  # slices[0].w: A's first row of the part
    a_rank: int
    b: int  # slices[1].w: B's first column of the part
    b_rank: int
    b_stride_row: int
    rank: int
    ranks: int  # params.ranks (0: none)
    overlap: bool


@pytest.fixture
def launched(monkeypatch):
    """The launches add_lora makes, recorded in place of the driver's, over KERNELS on DEVICE
    (benchmarks/stub_device.py)."""
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import stub_device
    got: list[Launched] = []

    def record(kernel, geometry, params, tensor, overlap_previous=False):
        a, b = params.slices[0], params.slices[1]
        got.append(Launched(kernel, a.w, a.rank, b.w, b.rank, b.w_stride_row, params.rank, params.ranks or 0,
                            overlap_previous))

    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=KERNELS))
    monkeypatch.setattr(run, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=KERNELS))
    with stub_device.stubbed(record, DEVICE):
        yield got


def _call(rank: int, sizes: list[int], true_ranks: bool = False, **kwargs):
    """add_lora at `rank` over segments of `sizes` rows (adapter s % N_LORA each), on CPU tensors; its problem, A, B
    and the call's table of ranks (true_ranks)."""
    rows = sum(sizes)
    x, y = torch.randn(rows, H_IN, dtype=torch.bfloat16), torch.randn(rows, H_OUT, dtype=torch.bfloat16)
    a, b = torch.randn(N_LORA, rank, H_IN, dtype=torch.bfloat16), torch.randn(N_LORA, H_OUT, rank, dtype=torch.bfloat16)
    indptr = torch.tensor([0] + list(torch.tensor(sizes).cumsum(0)), dtype=torch.int32)
    loras = torch.arange(len(sizes), dtype=torch.int32) % N_LORA
    ranks = torch.full((N_LORA,), rank, dtype=torch.int32) if true_ranks else None
    batch = cuda_ops.Rows(indptr, loras, ranks=ranks, max_segment_rows=max(sizes))
    cuda_ops.add_lora(y, x, [a], [b], batch, None, 0.5, **kwargs)
    problem = Problem.for_add_lora(y, x, a, b, len(sizes), max(sizes), true_ranks=true_ranks)
    return problem, a, b, ranks


def _rank_table(pointer: int) -> torch.Tensor:
    return next(t for t in cuda_ops._rank_tables.values() if t.data_ptr() == pointer)


@pytest.mark.parametrize("rank, sizes, ways", [
    (64, [1], 1),  # its own fused kernel
    (128, [1] * 256, 2),  # rank_split's halves
    (96, [1], 1),  # padded to 128
    (8, [1] * 256, 1),  # rank 8's one-row batch on rank 16's prefill variant
    (88, [1] * 256, 2),  # rank_parts: 64 + 24, the 24 padded to 32
    (256, [1] * 256, 4),  # rank_parts: 4 x 64
])
def test_add_lora_launches_the_plan_part_by_part(launched, rank, sizes, ways):
    problem, a, b, _ = _call(rank, sizes)
    plan = one_launch_padded.one_launch_plan(problem, KERNELS, DEVICE.num_sms, DEVICE.resident_blocks,
                                             DEVICE.resident_clusters)
    assert len(plan) == len(launched) == ways
    es = a.element_size()
    for step, got in zip(plan, launched):
        assert got.kernel == step.kernel and got.overlap
        assert (got.a, got.a_rank) == (a.data_ptr() + step.first * a.stride(1) * es, step.part.rank)
        assert (got.b, got.b_rank, got.b_stride_row) == (b.data_ptr() + step.first * es, step.part.rank, rank)
        assert got.rank == step.part.rank
        if step.needs_rank_table:  # every adapter the part's rank, on the higher rank's kernel
            assert step.kernel.rank > step.part.rank and step.kernel.true_ranks
            assert _rank_table(got.ranks).tolist() == [step.part.rank] * N_LORA
        else:
            assert got.ranks == 0
    case = BenchCase(H_IN, H_OUT, rank, sum(sizes), "distinct", tuple(sizes))
    assert run.kernels_for(case, torch.bfloat16, "add_lora", 90, DEVICE.num_sms, DEVICE.resident_blocks,
                           DEVICE.resident_clusters) == "+".join(got.kernel.name for got in launched)


def test_add_lora_with_true_ranks_launches_only_its_own_kernel_with_the_call_s_table(launched):
    problem, a, b, ranks = _call(64, [1], true_ranks=True)
    (got,) = launched
    assert got.kernel.rank == 64 and got.ranks == ranks.data_ptr() and (got.a, got.b) == (a.data_ptr(), b.data_ptr())
    launched.clear()
    _call(96, [1], true_ranks=True)  # no kernel of its own: the pair, not a padded table over the caller's
    assert [got.kernel.op for got in launched] == ["shrink", "expand"]


def test_add_lora_runs_the_pair_where_the_plan_has_none_or_the_caller_says(launched):
    _call(98, [1])  # B's rows neither 16- nor 8-byte pieces
    assert [got.kernel.op for got in launched] == ["shrink", "expand"]
    launched.clear()
    _call(64, [1], fused=False)
    assert [got.kernel.op for got in launched] == ["shrink", "expand"]
    launched.clear()
    forced = next(k for k in GRID_PREFILL if k.rank == 64)
    _call(64, [1], fused=forced)
    assert [got.kernel for got in launched] == [forced]
