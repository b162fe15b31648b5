"""cuda_ops.add_lora's launches on a stand-in sm_90 device (no GPU): each kernel of one_launch_padded.one_launch_plan in
order, over its part of the rank (A's rows and B's columns as views), with a table of the part's rank where its kernel
is a higher rank's, the call's own tables otherwise; the launch pair where the plan has none or the caller forbids it.
The bench names the same kernels (run.kernels_for). The kernels' arithmetic is the GPU tests' (test_gpu_one_launch.py)."""
import dataclasses
import itertools
import pathlib
import random
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


def _random_call(rng: random.Random, op: str, dtypes: tuple[torch.dtype, ...]) -> str:
    """One cuda_ops call of `op` on a random problem (any h_in, h_out and rank; 1-12 adapters, -1 among them; 1-300
    segments of 0-700 rows; rows strided or not; true ranks or not; the longest segment known or not); a line
    describing it."""
    size = lambda: rng.choice([rng.randint(1, 300), rng.randint(1, 20000), 4096, 8192, 3584, 14336])  # noqa: E731
    h_in, h_out = size(), size()
    rank = rng.choice([rng.randint(1, 300), rng.choice([4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256])])
    n_lora = rng.randint(1, 12)
    sizes = [rng.choice([0, 1, 1, rng.randint(1, 40), rng.randint(1, 700)])
             for _ in range(rng.choice([1, rng.randint(1, 8), rng.randint(1, 300)]))]
    sizes[0] = max(sizes[0], 1)
    rows, dtype = sum(sizes), rng.choice(dtypes)
    x = torch.empty(rows, h_in + rng.choice([0, 8, 3]), dtype=dtype)[:, :h_in]
    y = torch.empty(rows, h_out + rng.choice([0, 8, 5]), dtype=dtype)[:, :h_out]
    a, b = torch.empty(n_lora, rank, h_in, dtype=dtype), torch.empty(n_lora, h_out, rank, dtype=dtype)
    v = torch.empty(rows, rank, dtype=torch.float32)
    true_ranks = rng.random() < 0.3
    batch = cuda_ops.Rows(torch.tensor([0, *itertools.accumulate(sizes)], dtype=torch.int32),
                          torch.tensor([rng.choice([-1, rng.randrange(n_lora)]) for _ in sizes], dtype=torch.int32),
                          ranks=torch.randint(0, rank + 1, (n_lora,), dtype=torch.int32) if true_ranks else None,
                          max_segment_rows=max(sizes) if rng.random() < 0.7 else -1,
                          tables_ready=rng.random() < 0.5)
    if op == "add_lora":
        cuda_ops.add_lora(y, x, [a], [b], batch, None, 0.5)
    elif op == "shrink":
        cuda_ops.shrink_into(v, x, [a], batch, None, 0.5)
    else:
        cuda_ops.expand(y, v, [b], batch, None, 0.5)
    return (f"{op} {dtype} h_in {h_in} (row stride {x.stride(0)}) h_out {h_out} (row stride {y.stride(0)}) rank "
            f"{rank}, {n_lora} adapters, {len(sizes)} segments, {rows} rows, true ranks {true_ranks}")


@pytest.mark.parametrize("source", ["test-kernels", "installed"])
def test_random_problems_launch_within_the_driver_s_limits(source, monkeypatch):
    """Every op on 150 random problems (the stand-in H200, the driver stubbed): each launches (none raises, not even
    UnsupportedError: the generic kernels take any shape) and every launch is one the driver takes: a grid of 1 to
    65535 blocks along y and z, y a whole number of clusters of at most 8, no clusters with the grid handoff, at most
    1024 threads and 227 KB of shared memory a block, a kernel of the manifest. Over the test kernels (bf16) and, where
    the package has them, the installed ones (both dtypes)."""
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import stub_device
    if source == "installed":
        kernels = manifest.load().kernels
        if not any(k.op in cuda_ops.ONE_LAUNCH_OPS for k in kernels):
            pytest.skip("no compiled kernels installed (a source tree): benchmarks/cpu_check_wheel.sh runs this")
        dtypes = (torch.bfloat16, torch.float16)
    else:
        kernels, dtypes = KERNELS, (torch.bfloat16,)
        monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=kernels))
    launches = []
    record = lambda kernel, geometry, params, tensor, overlap_previous=False: launches.append(  # noqa: E731
        (kernel, geometry))
    rng = random.Random(20261205)
    with stub_device.stubbed(record):
        for _ in range(150):
            op = rng.choice(["add_lora", "add_lora", "shrink", "expand"])
            start = len(launches)
            what = _random_call(rng, op, dtypes)
            assert len(launches) > start, what
            for kernel, geometry in launches[start:]:
                _, grid_y, grid_z = geometry.grid
                assert min(geometry.grid) >= 1 and grid_y <= 65535 and grid_z <= 65535, (what, kernel.name, geometry)
                assert geometry.cluster <= 8 and grid_y % geometry.cluster == 0, (what, kernel.name, geometry)
                assert not (geometry.handoff and geometry.cluster > 1), (what, kernel.name, geometry)
                assert geometry.threads <= 1024 and geometry.smem_bytes <= 227 * 1024, (what, kernel.name, geometry)
                assert kernel in kernels, (what, kernel.name)
