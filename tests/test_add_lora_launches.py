"""cuda_ops.add_lora's launches on a stand-in sm_90 device (no GPU): each kernel of one_launch_padded.one_launch_plan in
order, over its part of the rank (A's rows and B's columns as views), with a table of the part's rank where its kernel
is a higher rank's, the call's own tables otherwise; the launch pair where the plan has none or the caller forbids it.
The bench names the same kernels (run.kernels_for). The kernels' arithmetic is the GPU tests' (test_gpu_one_launch.py)."""
import dataclasses
import itertools
import pathlib
import random
import types
from typing import Optional

import pytest
import torch

from sgmv import cuda_ops, manifest, one_launch_padded, reference
from sgmv.batch import LoraBatch
from sgmv.bench import run
from sgmv.bench.cases import BenchCase
from sgmv.dispatch import Problem
from sgmv.errors import UnsupportedError
from dispatch_records import AVAILABLE, GRID_FUSED, GRID_PREFILL

KERNELS = tuple(GRID_FUSED + GRID_PREFILL + AVAILABLE)
H_IN, H_OUT, N_LORA = 4096, 4096, 3
DEVICE = types.SimpleNamespace(arch=90, num_sms=132, max_smem_per_block=cuda_ops.loader.SM90_SMEM_PER_BLOCK,
                               resident_blocks=lambda kernel: 1,
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


@dataclasses.dataclass
class RandomCall:
    """One cuda_ops call on a random problem: `op` on x (or v), y and each output slice's A and B."""
    op: str
    x: torch.Tensor
    y: torch.Tensor
    v: torch.Tensor
    lora_a: list[torch.Tensor]
    lora_b: list[torch.Tensor]
    batch: cuda_ops.Rows
    scales: Optional[torch.Tensor]

    def run(self) -> None:
        if self.op == "add_lora":
            cuda_ops.add_lora(self.y, self.x, self.lora_a, self.lora_b, self.batch, self.scales, 0.5)
        elif self.op == "shrink":
            cuda_ops.shrink_into(self.v, self.x, self.lora_a, self.batch, self.scales, 0.5)
        else:
            cuda_ops.expand(self.y, self.v, self.lora_b, self.batch, self.scales, 0.5)

    def __str__(self) -> str:
        return (f"{self.op} {self.x.dtype} h_in {self.x.shape[1]} (row stride {self.x.stride(0)}) h_out "
                f"{[b.shape[1] for b in self.lora_b]} (y's row stride {self.y.stride(0)}) ranks "
                f"{[a.shape[1] for a in self.lora_a]}, {self.lora_a[0].shape[0]} adapters, {self.batch.num_segments} "
                f"segments, {self.x.shape[0]} rows, true ranks {self.batch.ranks is not None}")


def _random_call(rng: random.Random, dtypes: tuple[torch.dtype, ...], max_hidden: int = 20000, max_rows: int = 700,
                 max_segments: int = 300, data: bool = False) -> RandomCall:
    """A random problem for one of the ops: any h_in, h_out and rank; 1-12 adapters, -1 among them; 1-max_segments
    segments of 0-max_rows rows (or of one row each); rows strided or not, in any order or not; one to five output
    slices; true ranks, per-adapter scales and the longest segment's length or not. Half of them are add_lora calls the
    one-launch kernels may take (one slice, 16-byte rows, a rank of the grid, between it or past it). Its tensors
    empty, or random where `data`."""
    one_launch = rng.random() < 0.5
    aligned = lambda: rng.choice([8 * rng.randint(1, max_hidden // 8), 4096, 1040, 2048, 3584])  # noqa: E731
    size = aligned if one_launch else lambda: rng.choice([rng.randint(1, 300), rng.randint(1, max_hidden),
                                                           aligned()])
    pad = (lambda: rng.choice([0, 8])) if one_launch else lambda: rng.choice([0, 8, 3])

    def make(*shape, dtype=torch.float32, scale=1.0):
        return (torch.randn(*shape) * scale).to(dtype) if data else torch.empty(*shape, dtype=dtype)
    op = "add_lora" if one_launch else rng.choice(["add_lora", "shrink", "expand"])
    h_in, dtype, n_lora = size(), rng.choice(dtypes), rng.randint(1, 12)
    slices = 1 if one_launch or rng.random() < 0.5 else rng.randint(2, 5)
    h_outs = [size() for _ in range(slices)]
    grid = [4, 8, 12, 16, 24, 32, 48, 64, 88, 96, 128, 256]
    rank = rng.choice(grid) if one_launch else rng.choice([rng.randint(1, 300), rng.choice(grid)])
    ranks = [rank] + [rng.choice([rank, rng.randint(1, 128)]) for _ in range(slices - 1)]
    sizes = [rng.choice([0, 1, 1, rng.randint(1, 40), rng.randint(1, max_rows)])
             for _ in range(rng.choice([1, rng.randint(1, 8), rng.randint(1, max_segments)]))]
    if rng.random() < 0.3:  # decode: a row a segment
        sizes = [1] * len(sizes)
    sizes[0] = max(sizes[0], 1)
    rows = sum(sizes)
    in_any_order = rng.random() < 0.2  # segment row i is row row_index[i] (LoraBatch.from_token_loras)
    x = make(rows, h_in + pad(), dtype=dtype)[:, :h_in]
    y = make(rows, sum(h_outs) + pad(), dtype=dtype)[:, :sum(h_outs)]
    lora_a = [make(n_lora, r, h_in, dtype=dtype, scale=h_in ** -0.5) for r in ranks]
    lora_b = [make(n_lora, h, r, dtype=dtype, scale=r ** -0.5) for h, r in zip(h_outs, ranks)]
    true_ranks = slices == 1 and rng.random() < 0.3
    batch = cuda_ops.Rows(torch.tensor([0, *itertools.accumulate(sizes)], dtype=torch.int32),
                          torch.tensor([rng.choice([-1, rng.randrange(n_lora)]) for _ in sizes], dtype=torch.int32),
                          ranks=torch.randint(0, rank + 1, (n_lora,), dtype=torch.int32) if true_ranks else None,
                          row_index=torch.randperm(rows, dtype=torch.int32) if in_any_order else None,
                          max_segment_rows=max(sizes) if rng.random() < 0.7 and not in_any_order else -1,
                          tables_ready=rng.random() < 0.5)
    scales = torch.rand(n_lora) + 0.5 if rng.random() < 0.3 else None
    v = make(rows, sum(ranks)) if op == "expand" else torch.zeros(rows, sum(ranks))
    return RandomCall(op, x, y, v, lora_a, lora_b, batch, scales)


def _kernels_of(source: str, monkeypatch) -> tuple[tuple, tuple[torch.dtype, ...]]:
    """The kernels and dtypes the random problems run on: the test kernels (bf16), or the installed ones (both
    dtypes; skips where the package has none); cuda_ops selects from them."""
    if source == "installed":
        kernels = manifest.load().kernels
        if not any(k.op in cuda_ops.ONE_LAUNCH_OPS for k in kernels):
            pytest.skip("no compiled kernels installed (a source tree): benchmarks/cpu_check_wheel.sh runs this")
        return kernels, (torch.bfloat16, torch.float16)
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=KERNELS))
    return KERNELS, (torch.bfloat16,)


# Stand-in devices by (arch, the most shared memory a block may opt in to): the H200, and GPUs that allow 99 KB a block
# (sm_89 as the L40S, which runs every batch as the launch pair; sm_120, which takes the one-launch paths with clusters)
DEVICES = {"h200": (90, cuda_ops.loader.SM90_SMEM_PER_BLOCK), "sm89-99kb": (89, 99 * 1024),
           "sm120-99kb": (120, 99 * 1024)}


def _stand_in(name: str):
    import stub_device
    arch, smem = DEVICES[name]
    return types.SimpleNamespace(**{**vars(stub_device.h200()), "arch": arch, "max_smem_per_block": smem})


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("source", ["test-kernels", "installed"])
def test_random_problems_launch_within_the_driver_s_limits(source, device, monkeypatch):
    """Every op on 150 random problems (a stand-in device, the driver stubbed): each launches (none raises, not even
    UnsupportedError: the generic kernels take any shape) and every launch is one the driver takes: a grid of 1 to
    65535 blocks along y and z, y a whole number of clusters of at most 8, no clusters with the grid handoff or before
    sm_90, at most 1024 threads and the device's shared memory a block (227 KB on the H200, 99 KB on sm_89 and sm_120:
    kernels that need more are not selected there), a kernel of the manifest."""
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import stub_device
    kernels, dtypes = _kernels_of(source, monkeypatch)
    launches = []
    record = lambda kernel, geometry, params, tensor, overlap_previous=False: launches.append(  # noqa: E731
        (kernel, geometry))
    rng = random.Random(20261205)
    stand_in = _stand_in(device)
    with stub_device.stubbed(record, stand_in):
        for _ in range(150):
            start, call = len(launches), _random_call(rng, dtypes)
            call.run()
            assert len(launches) > start, call
            for kernel, geometry in launches[start:]:
                _, grid_y, grid_z = geometry.grid
                assert min(geometry.grid) >= 1 and grid_y <= 65535 and grid_z <= 65535, (str(call), kernel.name,
                                                                                          geometry)
                assert geometry.cluster <= 8 and grid_y % geometry.cluster == 0, (str(call), kernel.name, geometry)
                assert not (geometry.handoff and geometry.cluster > 1), (str(call), kernel.name, geometry)
                assert stand_in.arch >= 90 or (geometry.cluster == 1 and kernel.op in ("shrink", "expand")), (
                    str(call), kernel.name, geometry)
                assert geometry.threads <= 1024 and geometry.smem_bytes <= stand_in.max_smem_per_block, (
                    str(call), kernel.name, geometry)
                assert kernel in kernels, (str(call), kernel.name)


@pytest.mark.parametrize("device", ["h200", "sm120-99kb"])
@pytest.mark.parametrize("source", ["test-kernels", "installed"])
def test_random_problems_compute_the_reference_on_the_emulated_device(source, device, monkeypatch):
    """Every op on 100 random problems with random data, each launch computed from its SgmvParams by
    benchmarks/emulated_device.py (the kernels' contract on the CPU, reading what the pointers point at): the result
    is the float64 reference's within the dtype's tolerance, and no launch reads weights past the slice it was given.
    So the pointers, strides, offsets, views of parts and halves, tables of ranks, output slices, partial slices of v
    and row strides of every path describe the call (a wrong view's offset or a missing table of ranks fails here)."""
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import emulated_device
    import stub_device
    _, dtypes = _kernels_of(source, monkeypatch)
    rng = random.Random(20261206)
    with stub_device.stubbed(emulated_device.launch, _stand_in(device)):
        for _ in range(100):
            call = _random_call(rng, dtypes, max_hidden=3000, max_rows=200, max_segments=60, data=True)
            y0, v0 = call.y.clone(), call.v.clone()
            call.run()
            batch = LoraBatch(call.batch.seg_indptr, call.batch.lora_indices, row_index=call.batch.row_index)
            f64 = dict(compute_dtype=torch.float64, ranks=call.batch.ranks)
            if call.op == "shrink":
                want = reference.shrink(call.x, call.lora_a, batch, 0.5, call.scales, **f64)
                # float32 sums of up to 3000 products: their rounding scales with the terms' sizes, not with v's,
                # which cancellation may make far smaller (one row of rank 1: 1.8e-5 of v on torch 2.11's CPU BLAS)
                terms = reference.shrink(call.x.abs(), [a.abs() for a in call.lora_a], batch, 0.5, call.scales, **f64)
                assert (call.v - v0 - want).norm() <= 1e-5 * terms.norm(), call
                continue
            if call.op == "add_lora":
                want = reference.add_lora_delta(call.x, call.lora_a, call.lora_b, batch, 0.5, call.scales, **f64)
            else:
                want = reference.expand_delta(v0, call.lora_b, batch, 0.5, call.scales, **f64)
            dtype = call.y.dtype
            allowed = reference.TOLERANCE[dtype] + reference.output_rounding(call.y, want)
            assert reference.relative_error(call.y.double() - y0.double(), want) < allowed, call


def test_a_one_launch_kernel_forced_before_sm_90_raises_and_launches_nothing(monkeypatch):
    """An sm_80 or sm_89 build compiles the fused, gemv and prefill kernels without their clusters (they would run
    nothing): forced there (add_lora's `fused`), the call raises UnsupportedError before any launch."""
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import stub_device
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(89,), kernels=KERNELS))
    launches = []
    fused = next(k for k in KERNELS if k.op == "fused" and k.rank == 64)
    with stub_device.stubbed(lambda *args, **kwargs: launches.append(args), _stand_in("sm89-99kb")):
        with pytest.raises(UnsupportedError, match=r"needs sm_90 or later .* the GPU is sm_89"):
            _call(64, [1], fused=fused)
        _call(64, [1])  # chosen by dispatch: the launch pair
    assert [kernel.op for kernel, *_ in launches] == ["shrink", "expand"]
