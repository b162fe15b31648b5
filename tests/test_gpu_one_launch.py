"""add_lora in one launch on the GPU: the fused kernel (cluster sum and grid handoff), the gemv kernel and chained calls,
against a float64 reference on fresh random data (the prefill kernel: test_gpu_prefill.py; a rank in halves, padded
or in parts: test_gpu_one_launch_padded.py).

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import itertools
import zlib
from typing import Optional

import pytest
import torch

import sgmv
from sgmv import cuda_ops, dispatch, loader, manifest, one_launch, one_launch_gemv, reference
from sgmv.cuda_ops import Rows
from sgmv.dispatch import Problem
from sgmv.launch_plan import plan
from conftest import Case, covered_rows, poison_allocator, requires_gpu
from gpu_checks import DEV, DTYPES, KERNELS, check_chain, check_delta, one_launch_op, random_weights
import pick_cases

pytestmark = requires_gpu


# ---- add_lora in one launch (the fused kernel) -----------------------------------------------------

FUSED = [k for k in KERNELS if k.op == "fused"]
GEMV = [k for k in KERNELS if k.op == "gemv"]
FUSED_SHAPES = [(4096, 4096), (1032, 1000), (4096, 14336), (14336, 4096), (8, 24)]


def _check_forced_one_launch(kernel, shape, layout: str) -> None:
    """add_lora forced onto the one-launch `kernel` at h_in x h_out `shape` on a batch of `layout`: one row, one row
    per segment (97 segments), -1 adapters, empty segments, several rows a segment ("uniform"); y matches the
    float64 reference, and rows without an adapter or segment are untouched (outputs poisoned first)."""
    h_in, h_out = shape
    dtype = DTYPES[kernel.dtype]
    rows = {"one_row": 1, "distinct": 97}.get(layout, 130)
    seed = zlib.crc32(f"{kernel.name}{shape}{layout}".encode()) % 1000
    gen = torch.Generator().manual_seed(seed)
    n_lora = 6
    if layout in ("one_row", "distinct"):
        batch = sgmv.LoraBatch.from_segments(list(range(rows + 1)), [i % n_lora for i in range(rows)], device=DEV)
    else:
        batch = Case(rows=rows, h_in=8, h_out=8, rank=8, n_lora=n_lora, dtype=dtype, layout=layout, device=DEV,
                     seed=seed).batch
    a, b = random_weights(n_lora, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    cuda_ops.add_lora(y, x, [a], [b], Rows(*batch.kernel_segments(n_lora), max_segment_rows=batch.max_segment_rows),
                      None, 0.5, fused=kernel)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))


@pytest.mark.parametrize("layout", ["one_row", "distinct", "negative", "empty", "uniform"])
@pytest.mark.parametrize("shape", FUSED_SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", FUSED, ids=lambda k: k.name)
def test_fused_shapes(kernel, shape, layout):
    """The fused kernel on h_in and h_out off its tiles (one chunk, several clusters per row tile), one row,
    one row per segment (many segments), -1 adapters, empty segments; y past the covered rows untouched."""
    _check_forced_one_launch(kernel, shape, layout)


@pytest.mark.parametrize("layout", ["one_row", "distinct", "negative", "empty", "uniform"])
@pytest.mark.parametrize("shape", FUSED_SHAPES + [(1040, 8), (16, 4104)], ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", GEMV, ids=lambda k: k.name)
def test_gemv_shapes(kernel, shape, layout):
    """The gemv kernel (gemv.cuh) forced on the same batches: shares of h_in and h_out that do not divide evenly
    among a cluster's blocks (a block of 8 x 24 has no output columns, 1040 -> 8 one column vector), more segments
    than SMs (97 in clusters of 2 or 4), -1 adapters, empty segments, and segments of several rows, which it runs
    row by row (dispatch gives it one-row segments only)."""
    _check_forced_one_launch(kernel, shape, layout)


@pytest.mark.parametrize("kernel", GEMV, ids=lambda k: k.name)
def test_gemv_rows_in_any_order_with_per_adapter_scales(kernel):
    """The gemv kernel forced on a batch from token adapter indices (rows reached through row_index, one adapter
    over three rows), with a per-adapter scale tensor; y matches the float64 reference."""
    dtype = DTYPES[kernel.dtype]
    gen = torch.Generator().manual_seed(7)
    tokens = [3, -1, 0, 5, 1, 3, 2, 4, 3, -1, 0]
    batch = sgmv.LoraBatch.from_token_loras(tokens, device=DEV)
    a, b = random_weights(6, kernel.rank, 1040, 4096, dtype, gen)
    scales = torch.rand(6, generator=gen).to(DEV)
    x = torch.randn(len(tokens), 1040, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(len(tokens), 4096, generator=gen).to(dtype).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    cuda_ops.add_lora(y, x, [a], [b], Rows(*batch.kernel_segments(6), batch.row_index), scales, 1.0, fused=kernel)
    want = reference.add_lora_delta(x, a, b, batch, 1.0, scales, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, len(tokens), 6).to(DEV))


@pytest.mark.parametrize("kernel", GEMV, ids=lambda k: k.name)
def test_gemv_reads_host_tables_before_the_wait(kernel):
    """The gemv kernel forced on one-row segments (an empty one and -1 adapters among them) with the batch's tables
    read before its wait for the previous kernel (Rows.tables_ready, as a LoraBatch built from host data gives) and
    after it: the same y bit for bit, and the float64 reference's."""
    dtype = DTYPES[kernel.dtype]
    gen = torch.Generator().manual_seed(11)
    sizes = [1, 0] + [1] * 15
    rows = sum(sizes)
    loras = [-1 if i % 5 == 3 else i % 6 for i in range(len(sizes))]
    batch = sgmv.LoraBatch.from_segments(list(itertools.accumulate(sizes, initial=0)), loras, device=DEV)
    assert batch.tables_from_host
    a, b = random_weights(6, kernel.rank, 4096, 4096, dtype, gen)
    x = torch.randn(rows, 4096, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, 4096, generator=gen).to(dtype).to(DEV)
    outs = []
    for ready in (True, False):
        poison_allocator(DEV)
        y = y0.clone()
        cuda_ops.add_lora(y, x, [a], [b], Rows(batch.seg_indptr, batch.lora_indices, max_segment_rows=1,
                                               tables_ready=ready), None, 0.5, fused=kernel)
        outs.append(y)
    assert torch.equal(outs[0], outs[1])
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    for out in outs:
        check_delta(out, y0, want, dtype, ~covered_rows(batch, rows, 6).to(DEV))


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("sizes", [[1] * 8, [1] * 12, [1] * 16, [1] * 17, [1, 0, 1] + [1] * 21,
                                   [1] * 20 + [0] + [1] * 13, [1] * 40, [1] * 48, [1] * 64, [1] * 80,
                                   [1] * 100 + [0] + [1] * 99],
                         ids=["distinct8", "distinct12", "distinct16", "distinct17", "empty-distinct24",
                              "empty-distinct33", "distinct40", "distinct48", "distinct64", "distinct80",
                              "empty-distinct200"])
@pytest.mark.parametrize("shape", [(4096, 4096), (8192, 8192)], ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("rank", [16, 8])
def test_one_row_segments_take_the_gemv_kernel_within_its_limits(rank, shape, sizes, dtype):
    """Batches of one-row segments (a -1 adapter and an empty segment among them) through sgmv.add_lora at ranks 16
    and 8: the gemv kernel exactly where one_launch_gemv.prefers_gemv's limits take the batch (at rank 8 its 4-warp
    fallback too, in up to two waves: 80 and 200 segments), the prefill kernel does not (or
    one_launch_gemv.gemv_over_prefill) and the build has it, and y matches the float64 reference."""
    if loader.device(0).arch < 90:
        pytest.skip("the gemv kernel needs sm_90")
    loras = [i % 6 if i != 1 else -1 for i in range(len(sizes))]
    case = _AddLoraCase(rank, sizes, loras, shape[1], dtype, seed=len(sizes), h_in=shape[0])
    got = cuda_ops._installed_one_launch_kernel(case.problem, 0)
    built = [k for k in KERNELS if k.op == "gemv" and k.dtype == case.problem.dtype]
    dev = loader.device(0)
    want = one_launch_gemv.prefers_gemv(dataclasses.replace(case.problem, op="gemv"), built, dev.num_sms,
                                   dev.resident_clusters)
    prefill = [k for k in KERNELS if k.op == "prefill" and k.dtype == case.problem.dtype]
    if want is not None and not one_launch_gemv.gemv_over_prefill(case.problem, want) and one_launch.prefers_prefill(
            dataclasses.replace(case.problem, op="prefill"), prefill, dev.num_sms, dev.resident_blocks) is not None:
        want = None  # one_launch_kernel leaves the batches the prefill kernel takes to it, unless gemv_over_prefill
    assert (got == want) if want is not None else (got is None or got.op != "gemv"), got
    case.check()


# ---- the fused kernel with the grid handoff (handoff.cuh) ---------------------------------------------------

HANDOFF_LAYOUTS = {  # (rows, segment sizes, adapters): -1 adapters, empty segments, a segment off the row tile
    "one_row": ([1], [3]),
    "identical_64": ([64], [1]),
    "mixed": ([5, 0, 17, 1, 33, 0, 2], [0, 2, -1, 4, 1, 3, 5]),
    "distinct_12": ([1] * 12, [i % 6 for i in range(12)]),
    "short_mixed": ([1, 0, 3, 4, 2, 0, 1], [0, 2, -1, 4, 1, 3, 5]),  # short segments, an empty one, a -1 adapter
    "skewed": ([40, 1, 1, 0, 1, 2, 1, 17, 1], [0, 1, -1, 2, 3, 4, 5, 0, 1]),  # long segments among one-row ones
}


def _handoff_case(kernel, layout: str, h_in: int, h_out: int, seed: int):
    sizes, loras = HANDOFF_LAYOUTS[layout]
    dtype = DTYPES[kernel.dtype]
    gen = torch.Generator().manual_seed(seed)
    batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)
    rows = sum(sizes)
    a, b = random_weights(6, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    return batch, a, b, x, y0


@pytest.mark.parametrize("layout", HANDOFF_LAYOUTS)
@pytest.mark.parametrize("shape", [(4096, 4096), (1032, 1000), (8192, 8192), (8, 24)],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", FUSED, ids=lambda k: k.name)
def test_fused_kernel_with_the_grid_handoff(kernel, shape, layout, monkeypatch):
    """Every fused kernel with the grid handoff (forced at every rank; the kernels for the flat grid number the
    batch's row tiles over all segments): blocks splitting h_in from 1 (one chunk) to a block per column tile,
    segments of one row to four row tiles, skewed lengths, -1 adapters and empty segments; called three times in a
    row so each buffer of the workspace serves (and each launch zeroes the other)."""
    monkeypatch.setattr(dispatch, "HANDOFF_MIN_RANK", 0)
    seed = zlib.crc32(f"{kernel.name}{shape}{layout}".encode())
    batch, a, b, x, y0 = _handoff_case(kernel, layout, *shape, seed=seed)
    rows = Rows(*batch.kernel_segments(6), max_segment_rows=batch.max_segment_rows)
    problem = Problem.for_add_lora(y0, x, a, b, batch.num_segments)
    launch = plan(dataclasses.replace(problem, max_segment_rows=batch.max_segment_rows), kernel,
                  loader.device(0).num_sms, clusters=True)
    assert launch.handoff and launch.cluster == 1 and launch.flat == kernel.flat_tiles
    poison_allocator(DEV)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    for _ in range(3):
        y = y0.clone()
        cuda_ops.add_lora(y, x, [a], [b], rows, None, 0.5, fused=kernel)
        check_delta(y, y0, want, DTYPES[kernel.dtype], ~covered_rows(batch, y0.shape[0], 6).to(DEV))


def _launch_of(kernel, batch: sgmv.LoraBatch, x: torch.Tensor, a: torch.Tensor, b: torch.Tensor, y: torch.Tensor):
    """The launch cuda_ops gives `kernel` (forced) on add_lora of `batch` (y on the GPU it runs on)."""
    problem = Problem.for_add_lora(y, x, a, b, batch.num_segments, batch.max_segment_rows)
    return cuda_ops._prepare(one_launch.one_launch_problem(problem, kernel), y, kernel)[1]


@pytest.mark.parametrize("kernel", FUSED, ids=lambda k: k.name)
def test_fused_handoff_blocks_of_two_column_tiles(kernel, monkeypatch):
    """Every fused kernel with the grid handoff (the flat grid's too) on a launch whose blocks hold two column tiles
    or one (h_out of 2 x gridDim.y - 1 tiles, the last 24 columns wide): the blocks that read their first tile during
    the barrier's wait and take the second from registers or the ring's other slots (fused.cuh's first_of_two_early;
    NOTES entries 181, 184 and 187-190). 16 one-row segments, -1 adapters among them; called twice in a row (both
    workspace buffers)."""
    monkeypatch.setattr(dispatch, "HANDOFF_MIN_RANK", 0)
    dtype = DTYPES[kernel.dtype]
    gen = torch.Generator().manual_seed(zlib.crc32(kernel.name.encode()))
    loras = [-1 if i % 7 == 3 else i % 6 for i in range(16)]
    batch = sgmv.LoraBatch.from_segments(list(range(17)), loras, device=DEV)
    h_in, h_out, launch = 4096, 0, None
    for tiles in range(2, 4 * dispatch.HANDOFF_MAX_BLOCKS):  # the grid may depend on h_out: find a fixed point
        n = (tiles - 1) * kernel.tile_n + 24
        shapes = (torch.empty(16, h_in, dtype=dtype), torch.empty(1, kernel.rank, h_in, dtype=dtype),
                  torch.empty(1, n, kernel.rank, dtype=dtype), torch.empty(16, n, dtype=dtype, device=DEV))
        launch = _launch_of(kernel, batch, *shapes)
        if launch.handoff and tiles == 2 * launch.grid[1] - 1:
            h_out = n
            break
    assert h_out, f"no h_out gives {kernel.name} blocks of two column tiles (last launch {launch})"
    assert launch.flat == kernel.flat_tiles
    a, b = random_weights(6, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(16, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(16, h_out, generator=gen).to(dtype).to(DEV)
    rows = Rows(*batch.kernel_segments(6), max_segment_rows=batch.max_segment_rows)
    poison_allocator(DEV)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
    for _ in range(2):
        y = y0.clone()
        cuda_ops.add_lora(y, x, [a], [b], rows, None, 0.5, fused=kernel)
        check_delta(y, y0, want, dtype, ~covered_rows(batch, 16, 6).to(DEV))


@pytest.mark.parametrize("kernel", [k for k in FUSED if k.tile_barrier], ids=lambda k: k.name)
def test_barriers_per_row_tile_and_per_launch_share_the_workspace(kernel, monkeypatch):
    """A kernel with a barrier per row tile (NOTES entry 249) and the same kernel without, called in turn on one
    stream (one workspace: the launch counter names v's buffer for both, the row tiles' counters only the former's)
    on 40 one-row segments (40 row tiles, -1 adapters among them, so some tiles have no blocks that arrive) and on one
    of 5 rows: every result matches the reference."""
    monkeypatch.setattr(dispatch, "HANDOFF_MIN_RANK", 0)
    plain = next(k for k in FUSED if k.name == kernel.name.removesuffix("_tb"))
    dtype = DTYPES[kernel.dtype]
    gen = torch.Generator().manual_seed(zlib.crc32(kernel.name.encode()))
    a, b = random_weights(6, kernel.rank, 1024, 1032, dtype, gen)
    many = (sgmv.LoraBatch.from_segments(list(range(41)), [-1 if i % 9 == 4 else i % 6 for i in range(40)],
                                         device=DEV), 40)
    one = (sgmv.LoraBatch.from_segments([0, 5], [2], device=DEV), 5)
    poison_allocator(DEV)
    for step, (batch, num_rows) in enumerate([many, many, one, one, many, many]):
        x = torch.randn(num_rows, 1024, generator=gen).to(dtype).to(DEV)
        y0 = torch.randn(num_rows, 1032, generator=gen).to(dtype).to(DEV)
        rows = Rows(*batch.kernel_segments(6), max_segment_rows=batch.max_segment_rows)
        want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
        y = y0.clone()
        cuda_ops.add_lora(y, x, [a], [b], rows, None, 0.5, fused=(kernel if step % 2 else plain))
        check_delta(y, y0, want, dtype, ~covered_rows(batch, num_rows, 6).to(DEV))


class _AddLoraCase:
    """A batch of segments of `sizes` rows with adapters `loras` (6 of them) at h_in -> h_out on fresh random data,
    its add_lora problem (the longest segment known), and check(): sgmv.add_lora against the float64 reference."""

    def __init__(self, rank: int, sizes: list[int], loras: list[int], h_out: int, dtype: torch.dtype, seed: int,
                 h_in: int = 4096):
        gen = torch.Generator().manual_seed(seed)
        self.batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)
        self.a, self.b = random_weights(6, rank, h_in, h_out, dtype, gen)
        self.x = torch.randn(sum(sizes), h_in, generator=gen).to(dtype).to(DEV)
        self.y0 = torch.randn(sum(sizes), h_out, generator=gen).to(dtype).to(DEV)
        self.problem = dataclasses.replace(Problem.for_add_lora(self.y0, self.x, self.a, self.b,
                                                                self.batch.num_segments),
                                           max_segment_rows=self.batch.max_segment_rows)

    def check(self) -> None:
        poison_allocator(DEV)
        y = self.y0.clone()
        sgmv.add_lora(y, self.x, self.a, self.b, self.batch, scale=0.5)
        want = reference.add_lora_delta(self.x, self.a, self.b, self.batch, 0.5, compute_dtype=torch.float64)
        check_delta(y, self.y0, want, self.y0.dtype, ~covered_rows(self.batch, self.y0.shape[0], 6).to(DEV))


def _picked(pick: pick_cases.PickCase, loras: list[int], dtype: torch.dtype,
            seed: int) -> tuple[_AddLoraCase, Optional[manifest.KernelRecord]]:
    """`pick`'s batch on fresh random data (its problem as pick_cases.batch_problem gives it) and dispatch's
    one-launch kernel for it on this GPU."""
    case = _AddLoraCase(pick.rank, list(pick.sizes), loras, pick.h_out, dtype, seed=seed, h_in=pick.h_in)
    assert case.problem == pick_cases.batch_problem(pick, case.problem.dtype)  # test_picks_of_gpu_tests.py's
    return case, cuda_ops._installed_one_launch_kernel(case.problem, 0)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("pick", pick_cases.SKEWED, ids=lambda p: p.id)
def test_skewed_batches_take_the_flat_grid_handoff(pick, dtype):
    """A skewed batch (one long segment among one-row ones, a -1 adapter, an empty segment) through sgmv.add_lora:
    dispatch picks a kernel for the flat grid handoff (NOTES entry 135) where the build has one, and y matches."""
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernels need sm_90")
    loras = [i % 6 if i != 2 else -1 for i in range(len(pick.sizes))]
    case, got = _picked(pick, loras, dtype, seed=pick.rank)
    assert pick_cases.takes_flat_handoff(case.problem, got, KERNELS, loader.device(0).num_sms), got
    case.check()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("pick", pick_cases.WIDE_H_OUT, ids=lambda p: p.id)
def test_wide_h_out_batches_take_the_handoff_in_place_of_the_pair(pick, dtype):
    """Batches of 4096 -> 14336 that need 4-19 column tiles a block (one_launch.handoff_over_pair, NOTES entries
    157-168, up to 512 rows; rank 128 on its own kernel in place of the halves), a -1 adapter among them, through
    sgmv.add_lora: the fused kernel where the build has it at the rank, and y matches. At r16 one segment has two
    rows: 16 one-row segments take the gemv kernel (one_launch_gemv.prefers_gemv); 43 one-row segments and more take the
    16-row prefill tile in clusters of 2 (NOTES entry 300)."""
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernels need sm_90")
    loras = [i % 6 if i != 1 else -1 for i in range(len(pick.sizes))]
    case, got = _picked(pick, loras, dtype, seed=pick.rank + len(pick.sizes))
    assert pick_cases.takes_handoff_over_pair(case.problem, got, KERNELS, loader.device(0).num_sms), got
    case.check()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("pick", pick_cases.FEW_ROWS, ids=lambda p: p.id)
def test_segments_of_17_31_rows_take_the_16_row_tile_by_their_tiles(pick, dtype):
    """Batches of 17-31 rows a segment at 4096 -> 14336, counted as two 16-row tiles a segment (NOTES entries
    229-231), a -1 adapter and an empty segment among them, through sgmv.add_lora: the 16-row prefill tile where
    the build has it at the rank, and y matches."""
    if loader.device(0).arch < 90:
        pytest.skip("the prefill kernel needs sm_90")
    loras = [i % 6 if i != 1 else -1 for i in range(len(pick.sizes))]
    case, got = _picked(pick, loras, dtype, seed=pick.rank + len(pick.sizes))
    assert pick_cases.takes_short_prefill_tile(case.problem, got, KERNELS, loader.device(0).num_sms), got
    case.check()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("pick", pick_cases.one_row_pairs(132), ids=lambda p: p.id)
def test_one_row_batches_between_half_and_all_the_sms_take_two_block_clusters(pick, dtype, monkeypatch):
    """NOTES entry 299: one-row batches (segments of 1-2 rows, a -1 adapter, an empty segment) of more segments than
    clusters of 2 one block an SM and at most the SMs, through sgmv.add_lora at 4096 -> 2056 (h_out off the stages):
    the 16-row tile's kernel of two blocks an SM in clusters of 2 where the build has one at the rank (8 and 16),
    and y matches everywhere (rank 32: blocks of one, or another path)."""
    if loader.device(0).arch < 90:
        pytest.skip("the prefill kernel needs sm_90")
    sms = loader.device(0).num_sms
    if sms != 132:  # the batches for this GPU's count: the same shares of its SMs
        pick = {p.id: p for p in pick_cases.one_row_pairs(sms)}[pick.id]
    rank, segments = pick.rank, len(pick.sizes)
    loras = [i % 6 if i != 3 else -1 for i in range(segments)]
    case = _AddLoraCase(rank, list(pick.sizes), loras, pick.h_out, dtype, seed=rank + segments)
    launched = []
    real = loader.launch
    monkeypatch.setattr(loader, "launch", lambda kernel, geometry, *args, **kwargs: (
        launched.append((kernel, geometry.cluster)), real(kernel, geometry, *args, **kwargs)))
    cuda_ops.clear_selections()
    case.check()
    two_blocks = [k for k in KERNELS if k.op == "prefill" and k.warp_rows == 16 and k.blocks_per_sm == 2
                  and k.rank == rank and k.dtype == case.problem.dtype]
    if two_blocks and one_launch.PREFILL_ONE_ROW_TWO_BLOCK_PAIRS:
        assert [(k.op, k.blocks_per_sm, cluster) for k, cluster in launched] == [("prefill", 2, 2)], launched


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("pick", pick_cases.WIDE_H_IN, ids=lambda p: p.id)
def test_wide_h_in_long_segments_take_the_8_warp_32_row_tile(pick, dtype):
    """One adapter over 256 rows, or two segments of 128 (the second's adapter -1), at a wide h_in (14336 -> 4096,
    18944 -> 3584), through sgmv.add_lora: the grid handoff's 8-warp 32-row fused tile, whose warps reduce fewer
    columns of h_in than the 16-row tile's at as many column tiles a block (NOTES entries 235 and 237), where the
    build has it, and y matches."""
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernels need sm_90")
    case, got = _picked(pick, pick_cases.WIDE_H_IN_LORAS[pick.sizes], dtype,
                        seed=pick.rank + pick.h_in + len(pick.sizes))
    assert pick_cases.takes_wide_h_in_tile(case.problem, got, KERNELS, loader.device(0).num_sms), got
    case.check()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("pick", pick_cases.ONE_TILE, ids=lambda p: p.id)
def test_one_adapter_over_a_few_rows_takes_at_most_64_splits(pick, dtype):
    """One adapter over 2-12 rows (rows x rank over 128) through sgmv.add_lora: the grid handoff with at most 64 splits
    of h_in, or h_out's column tiles (dispatch.HANDOFF_ONE_TILE_MAX_SPLITS, NOTES entry 396), and y matches."""
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernels need sm_90")
    case, got = _picked(pick, [3], dtype, seed=pick.rank + pick.sizes[0])
    assert pick_cases.takes_capped_splits(case.problem, got, KERNELS, loader.device(0).num_sms), got
    case.check()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("pick, holds", pick_cases.HUNDREDS_OF_ROWS,
                         ids=lambda c: getattr(c, "id", getattr(c, "__name__", "")))
def test_one_adapter_over_hundreds_of_rows_takes_the_measured_tile_and_barrier(pick, holds, dtype):
    """One adapter over 160-480 rows through sgmv.add_lora: the grid handoff's 32-row tile, as its twin with a barrier
    per row tile from 10 row tiles on the 512-column tile, from 8 where a block holds two or more column tiles and from
    5 on the 256-column one (dispatch.HANDOFF_TILE_BARRIER_TALL_*_MIN_TILES, NOTES entries 398, 400 and 403); at rank 16
    over 241-256 rows the 16-row tile's twin where the 32-row tile would run one barrier
    (dispatch.HANDOFF_TALL_PER_TILE_BELOW_RANK, entry 404); and y matches."""
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernels need sm_90")
    case, got = _picked(pick, [5], dtype, seed=pick.rank + pick.sizes[0])
    assert holds(case.problem, got, KERNELS, loader.device(0).num_sms), got
    case.check()


def test_grid_handoff_in_graphs_and_streams():
    """add_lora's rank-64 decode batches take the grid handoff; captured in two graphs (one workspace each) that
    are replayed in turn, an odd number of calls each, and run eagerly on a second stream meanwhile: every
    result matches the reference, however the workspaces' buffers alternate and whichever barrier a launch takes
    (those of 16 row tiles, the last two, wait per row tile where the build has the kernels: NOTES entry 249)."""
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernel needs sm_90")
    cases = [Case(rows=rows, h_in=4096, h_out=4096, rank=64, n_lora=8, dtype=torch.bfloat16, layout=layout,
                  device=DEV, seed=200 + i) for i, (rows, layout) in enumerate([(1, "one_row"), (16, "identical"),
                                                                               (16, "uniform"), (16, "distinct"),
                                                                               (256, "identical")])]
    has_variants = any(k.tile_barrier and k.rank == 64 and k.dtype == "bf16" for k in KERNELS)
    for i, c in enumerate(cases):
        problem = Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments, c.batch.max_segment_rows)
        assert one_launch_op(problem) == "fused"
        kernel = cuda_ops._installed_one_launch_kernel(problem, 0)
        grid = _launch_of(kernel, c.batch, c.x, c.lora_a, c.lora_b, c.y).grid
        many_tiles = dispatch.wants_tile_barrier(grid, 64, kernel.warp_rows, kernel.tile_n,
                                                 dispatch._tiles_per_block(problem, kernel, grid))
        assert many_tiles == (i >= 3) and kernel.tile_barrier == (has_variants and many_tiles)
    outs = [[c.y.clone() for c in cases] for _ in range(3)]
    xs = [c.x.clone() for c in cases]

    def calls(ys):
        for c, x, y in zip(cases, xs, ys):
            sgmv.add_lora(y, x, c.lora_a, c.lora_b, c.batch, scale=0.5)

    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        calls(outs[0])  # loads the kernels outside capture
    torch.cuda.current_stream().wait_stream(side)
    graphs = [torch.cuda.CUDAGraph() for _ in range(2)]
    for g, ys in zip(graphs, outs[1:]):
        with torch.cuda.graph(g):
            calls(ys)
    for step in range(4):
        for i, x in enumerate(xs):
            x.copy_(torch.randn(x.shape, generator=torch.Generator().manual_seed(10 * step + i)).to(x.dtype))
        for ys in outs:
            for c, y in zip(cases, ys):
                y.copy_(c.y)
        side.wait_stream(torch.cuda.current_stream())
        for g in graphs:
            g.replay()
        with torch.cuda.stream(side):
            calls(outs[0])
        torch.cuda.current_stream().wait_stream(side)
        torch.cuda.synchronize()
        for ys in outs:
            for c, x, y in zip(cases, xs, ys):
                want = reference.add_lora_delta(x, c.lora_a, c.lora_b, c.batch, 0.5, compute_dtype=torch.float64)
                check_delta(y, c.y, want, torch.bfloat16, ~covered_rows(c.batch, c.rows, 8).to(DEV))


def test_fused_is_chosen_for_small_batches_and_replays_in_a_graph():
    """The public op takes the fused kernel for a decode batch on sm_90; under graph replay it gives the
    eager result with new inputs written in place."""
    case = Case(rows=16, h_in=4096, h_out=4096, rank=16, n_lora=8, dtype=torch.bfloat16, layout="uniform",
                device=DEV, seed=3)
    problem = Problem.for_add_lora(case.y, case.x, case.lora_a, case.lora_b, case.batch.num_segments)
    if loader.device(0).arch < 90:
        pytest.skip("the fused kernel needs thread-block clusters (sm_90)")
    assert one_launch_op(problem) == "fused"
    y = case.y.clone()
    graph = torch.cuda.CUDAGraph()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        sgmv.add_lora(y.clone(), case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    torch.cuda.current_stream().wait_stream(stream)
    x = case.x.clone()
    with torch.cuda.graph(graph):
        sgmv.add_lora(y, x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    for seed in (1, 2):
        x.copy_(torch.randn(x.shape, generator=torch.Generator().manual_seed(seed)).to(x.dtype))
        y.copy_(case.y)
        graph.replay()
        want = reference.add_lora_delta(x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
        check_delta(y, case.y, want, torch.bfloat16, ~covered_rows(case.batch, case.rows, 8).to(DEV))


@pytest.mark.parametrize("graph", [False, True], ids=["eager", "graph"])
def test_chained_calls_read_the_previous_calls_output(graph, clear_selections, monkeypatch):
    """Each call's x is the previous call's y, written just before by the kernel that this call's first kernel
    overlaps (overlap.cuh: it warms L2 with x before waiting). Small batches (the fused kernel on sm_90: r16 with
    its cluster sum, r64 with the grid handoff, per segment or numbered flat) and r64 batches of the shrink-expand
    pair in several layouts; each step must read all of the previous output. The pair's step is 1024 zipf rows with
    clusters of four off (PREFILL_QUAD 0; else the 64-row prefill tile takes them, entry 324, whose chains
    test_gpu_prefill.py checks)."""
    monkeypatch.setattr(one_launch, "PREFILL_QUAD", 0)
    cuda_ops.clear_selections()
    steps = [(1024, 64, "zipf"), (512, 64, "zipf"), (256, 64, "zipf"), (64, 64, "uniform"), (64, 16, "uniform"),
             (32, 64, "distinct"), (16, 16, "identical"), (16, 64, "distinct"), (1, 16, "empty"),
             (1, 64, "empty")]  # rows not growing
    cases = [Case(rows=rows, h_in=4096, h_out=4096, rank=rank, n_lora=8, dtype=torch.bfloat16, layout=layout,
                  device=DEV, seed=100 + i) for i, (rows, rank, layout) in enumerate(steps)]
    if loader.device(0).arch >= 90:
        kernels = [cuda_ops._installed_one_launch_kernel(
            Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments, c.batch.max_segment_rows), 0)
            for c in cases]
        kinds = ["pair" if k is None else "flat" if k.flat_tiles else k.op for k in kernels]
        # the pair over 1024 rows (past the grid handoff's buffer of v); the flat grid over 8 zipf segments of 512
        # and 256 rows (the per-segment grid would give each segment the longest one's row tiles) and over one row
        # among empty segments; r16 with the cluster sum; r64 with the grid handoff: 8 segments of 8 rows, 32 of one
        # row, 16 of one row
        assert kinds == ["pair", "flat", "flat", "fused", "fused", "fused", "fused", "fused", "fused", "flat"], kinds
    start = torch.randn(1024, 4096, generator=torch.Generator().manual_seed(5)).to(torch.bfloat16).to(DEV)
    check_chain(cases, start, graph, n_lora=8)


@pytest.mark.parametrize("graph", [False, True], ids=["eager", "graph"])
@pytest.mark.parametrize("hidden", [4096, 8192])
def test_chained_gemv_calls_read_the_previous_calls_output(hidden, graph):
    """Chained add_lora calls on the gemv kernel (16 one-row segments at rank 16), each call's x the previous call's
    y: the batch's tables are read before the wait for the previous kernel (tables_from_host), and each call must
    still wait for that kernel before its first loads of x."""
    if loader.device(0).arch < 90:
        pytest.skip("the gemv kernel needs sm_90")
    cases = [Case(rows=16, h_in=hidden, h_out=hidden, rank=16, n_lora=8, dtype=torch.bfloat16, layout="distinct",
                  device=DEV, seed=200 + i) for i in range(4)]
    for c in cases:
        assert c.batch.tables_from_host
        assert one_launch_op(Problem.for_add_lora(c.y, c.x, c.lora_a, c.lora_b, c.batch.num_segments,
                                                  c.batch.max_segment_rows)) == "gemv"
    start = torch.randn(16, hidden, generator=torch.Generator().manual_seed(6)).to(torch.bfloat16).to(DEV)
    check_chain(cases, start, graph, n_lora=8)
