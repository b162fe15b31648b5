"""Shared test data: batch layouts, random problems, tolerances, and the GPU skip."""
from __future__ import annotations

import math
import os
import pathlib
import random
import sys

import pytest
import torch

import sgmv
from sgmv import cuda_ops, reference
from sgmv.manifest import KernelRecord

HAS_GPU = torch.cuda.is_available()
# SGMV_EMULATE=1: the GPU tests run on the CPU, every launch computed from its arguments by the reference
# (benchmarks/emulated_device.py): a dry run of their host code, views and launch arguments, not of the kernels
EMULATE = os.environ.get("SGMV_EMULATE") == "1"
GPU_REASON = "needs a CUDA GPU (this machine has none); runs on the H200"
requires_gpu = pytest.mark.skipif(not (HAS_GPU or EMULATE), reason=GPU_REASON)
# A GPU test that times something (the bench's timer: CUDA graphs and events), which no emulation can
requires_gpu_timing = pytest.mark.skipif(not HAS_GPU, reason="times on a CUDA GPU (none here, SGMV_EMULATE or not); "
                                                             "runs on the H200")

# Norm-wise relative error of the computed delta against a float64 reference, per dtype (the bench's too).
TOLERANCE = reference.TOLERANCE

LAYOUTS = ("distinct", "uniform", "zipf", "identical", "empty", "single", "negative", "out_of_range")


def make_layout(kind: str, rows: int, n_lora: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """(seg_indptr, lora_indices) for `rows` rows in a named layout."""
    if kind == "single":
        rows = 1
    if kind in ("distinct", "single"):
        sizes = [1] * rows
    elif kind == "uniform":
        n = max(1, round(math.sqrt(rows)))
        sizes = [rows // n + (1 if i < rows % n else 0) for i in range(n)]
    elif kind == "zipf":
        weights = [1.0 / (i + 1) ** 1.5 for i in range(n_lora)]
        picks = rng.choices(range(n_lora), weights, k=rows)
        sizes = [c for c in (picks.count(i) for i in range(n_lora)) if c]
    elif kind == "identical":
        sizes = [rows]
    elif kind == "skewed":  # two fifths of the rows in one segment, the rest in segments of 1-8 rows
        sizes, left = [rows * 2 // 5] if rows >= 5 else [], rows - rows * 2 // 5
        while left:
            s = min(left, rng.choice([1, 1, 2, 3, 5, 8]))
            sizes.append(s)
            left -= s
    else:  # empty, negative, out_of_range: mixed sizes with the special feature sprinkled in
        sizes, left = [], rows
        while left:
            s = min(left, rng.choice([1, 2, 7, 15, 16, 17, 33, 64, 100]))
            sizes.append(s)
            left -= s
    loras = [rng.randrange(n_lora) for _ in sizes]
    if kind == "empty":
        for pos in sorted(rng.sample(range(len(sizes) + 1), min(3, len(sizes) + 1)), reverse=True):
            sizes.insert(pos, 0)
            loras.insert(pos, rng.randrange(n_lora))
    if kind == "negative":
        loras = [-1 if i % 3 == 1 else l for i, l in enumerate(loras)]
    if kind == "out_of_range":
        loras = [n_lora + 5 if i % 3 == 1 else l for i, l in enumerate(loras)]
    indptr = [0]
    for s in sizes:
        indptr.append(indptr[-1] + s)
    return indptr, loras


class Case:
    """A random add_lora problem with fresh data (never zeros), on `device`."""

    def __init__(self, rows: int, h_in: int, h_out: int, rank: int, n_lora: int, dtype: torch.dtype,
                 layout: str = "empty", device: str = "cpu", seed: int = 0, index_dtype=torch.int32):
        rng = random.Random(seed)
        gen = torch.Generator().manual_seed(seed)
        indptr, loras = make_layout(layout, rows, n_lora, rng)
        self.rows = indptr[-1]
        self.batch = sgmv.LoraBatch.from_segments(torch.tensor(indptr, dtype=index_dtype),
                                                  torch.tensor(loras, dtype=index_dtype)).to(device)
        # Scaled so that x @ A.T and the delta are O(1) like y: the error of the delta is then not
        # hidden behind the rounding of y.
        self.x = torch.randn(self.rows, h_in, generator=gen).to(dtype).to(device)
        self.lora_a = (torch.randn(n_lora, rank, h_in, generator=gen) / math.sqrt(h_in)).to(dtype).to(device)
        self.lora_b = (torch.randn(n_lora, h_out, rank, generator=gen) / math.sqrt(rank)).to(dtype).to(device)
        self.y = torch.randn(self.rows, h_out, generator=gen).to(dtype).to(device)
        self.scales = (torch.rand(n_lora, generator=gen) + 0.5).to(device)


def covered_rows(batch: sgmv.LoraBatch, rows: int, n_lora: int) -> torch.Tensor:
    """Mask of rows that some active segment covers."""
    mask = torch.zeros(rows, dtype=torch.bool)
    for segment_rows, _ in reference._active_segments(batch, rows, n_lora):
        mask[segment_rows] = True
    return mask


def token_loras(rows: int, n_lora: int, seed: int) -> list[int]:
    """One adapter index per row in random order: skewed choices, -1 (no LoRA) and out-of-range indices."""
    rng = random.Random(seed)
    weights = [1.0 / (i + 1) for i in range(n_lora)] + [0.4, 0.1]
    return rng.choices(list(range(n_lora)) + [-1, n_lora + 3], weights, k=rows)


def true_ranks(n_lora: int, rank: int, seed: int) -> torch.Tensor:
    """Per-adapter true ranks in [0, rank]: the full rank, zero, one, and some off a multiple of 8."""
    rng = random.Random(seed)
    fixed = [rank, 0, 1, max(1, rank - 3), max(1, rank // 2)]
    return torch.tensor([fixed[i] if i < len(fixed) else rng.randint(0, rank) for i in range(n_lora)])


def poison_past_rank(lora_a, lora_b, ranks) -> None:
    """NaN in every weight entry past an adapter's true rank: the kernels must never read them."""
    for lora, k in enumerate(ranks.tolist()):
        if lora_a is not None:
            lora_a[lora, k:] = float("nan")
        if lora_b is not None:
            lora_b[lora, :, k:] = float("nan")


# The bench's comparison and its allowance for y's rounding (sgmv.reference), under the tests' names.
rel_error = reference.relative_error
output_rounding = reference.output_rounding


def poison_allocator(device) -> None:
    """Fill the caching allocator's free blocks with NaN so that unwritten workspace shows."""
    if torch.device(device).type == "cuda":
        free = torch.cuda.mem_get_info(device)[0]
        torch.full((min(free // 8, 32 << 20) // 4,), float("nan"), device=device)  # freed at once, NaN left behind


@pytest.fixture(autouse=True)
def emulated_gpu(request):
    """Under SGMV_EMULATE=1, every GPU test (requires_gpu) runs inside benchmarks/emulated_device.emulated()."""
    if not EMULATE or not any(mark.name == "skipif" and mark.kwargs.get("reason") == GPU_REASON
                              for mark in request.node.iter_markers()):
        yield
        return
    benchmarks = str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks")
    if benchmarks not in sys.path:
        sys.path.insert(0, benchmarks)
    import emulated_device
    with emulated_device.emulated():
        yield


@pytest.fixture(autouse=True)
def kernel_runs_here(request):
    """A test of one compiled kernel (its `kernel` parameter) skips, saying why, on a GPU that cannot run that kernel
    (an A100 or L40S with an sm_80 build: the one-launch kernels; 99 KB GPUs: the largest tiles), where dispatch never
    picks it. On the H100/H200 every kernel runs."""
    callspec = getattr(request.node, "callspec", None)
    kernel = callspec.params.get("kernel") if callspec is not None else None
    if isinstance(kernel, KernelRecord) and HAS_GPU and not EMULATE:
        from sgmv import loader
        dev = loader.device(torch.cuda.current_device())
        reason = loader.cannot_run(kernel, dev.arch, dev.max_smem_per_block)
        if reason is not None:
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def clear_selections():
    """Every test starts and ends with cuda_ops's memoized kernel selections and launch plans cleared, so that one that
    patches the manifest or a constant of dispatch, launch_plan or one_launch* selects and plans with the patch, and
    leaves no selection or plan made with it to a later test."""
    cuda_ops.clear_selections()
    yield
    cuda_ops.clear_selections()


# ---- shards: a long run split over several calls, one part each -----------------------------------------

def pytest_addoption(parser):
    parser.addoption("--shard", default=None, metavar="I/N",
                     help="run only the collected tests whose position mod N is I (0 <= I < N): a run too long for one "
                          "device call as N calls (side by side on one GPU they were slower, NOTES.md entry 350)")


def _shard(value: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise pytest.UsageError(f"--shard {value!r}: expected I/N, two integers, e.g. 0/8") from None
    if not 0 <= index < count:
        raise pytest.UsageError(f"--shard {value!r}: I must be in 0..N-1")
    return index, count


def pytest_collection_modifyitems(config, items):
    value = config.getoption("--shard")
    if value is None:
        return
    index, count = _shard(value)
    kept = [item for position, item in enumerate(items) if position % count == index]
    config.hook.pytest_deselected(items=[item for position, item in enumerate(items) if position % count != index])
    items[:] = kept
