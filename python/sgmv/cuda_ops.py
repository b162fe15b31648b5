"""The CUDA implementations: fill one SgmvParams, pick the kernel, launch. No host synchronization.

Every op takes its weights as a list of output slices (one stacked tensor each) and launches once per
PAIR_SLICES of them. `kernel`/`kernels` override the selection (tests run every compiled kernel with it)."""
from __future__ import annotations

import dataclasses
import functools
import itertools
from typing import Callable, Iterator, Optional, Sequence

import torch

from . import dispatch, loader, one_launch, one_launch_padded, prefill_phases, slice_calls
from ._abi import SgmvParams, SgmvSlice
from .dispatch import Problem, can_run, select
from .errors import UnsupportedError
from .launch_plan import Launch, plan, reads_tables_early
from .manifest import KernelRecord, load as load_manifest
from .one_launch import ONE_LAUNCH_OPS, one_launch_kernel, one_launch_problem
from .one_launch_padded import OneLaunch


# The launch pair's output slices a launch: its shrink and expand kernels take up to _abi.MAX_SLICES, but 4 (the size of
# SgmvParams' slices until NOTES.md entry 371) is what every measurement of them ran; the fused kernel's variant for
# packed calls takes up to MAX_SLICES / 2 slices, a pair of A and B each.
PAIR_SLICES = 4

# The first kernel of add_lora is a programmatic dependent launch: its blocks get onto the GPU while the
# previous kernel on the stream finishes, and wait for it before reading anything (csrc/sgmv/overlap.cuh says
# which kernels let the next one start, and when).
OVERLAP_PREVIOUS_CALL = True


@dataclasses.dataclass(frozen=True)
class Rows:
    """The batch as the kernels read it (LoraBatch.kernel_segments, row order) and the adapters' true ranks."""

    seg_indptr: torch.Tensor
    lora_indices: torch.Tensor
    row_index: Optional[torch.Tensor] = None
    ranks: Optional[torch.Tensor] = None
    max_segment_rows: int = -1  # the longest segment's rows when the host knows it (LoraBatch); -1: unknown
    tables_ready: bool = False  # no kernel writes the tables (LoraBatch.tables_from_host): add_lora's first kernel
    # reads them before waiting for the kernel before it, unless it has per-adapter scales or ranks to read too or
    # its launch is large (launch_plan.reads_tables_early)
    ranks_ready: bool = False  # `ranks` is the package's own table of one rank (_rank_table), made by an earlier call:
    # read early like the batch tables (a table made in this call may still be being filled)

    @property
    def num_segments(self) -> int:
        return self.lora_indices.shape[0]


@functools.lru_cache(maxsize=None)
def _installed_kernels(ops: tuple[str, ...], dtype: str, arch: int, max_smem_per_block: int
                       ) -> tuple[KernelRecord, ...]:
    """The installed kernels of these ops and dtype that a GPU of compute capability `arch` allowing blocks
    `max_smem_per_block` bytes of shared memory can run (loader.cannot_run): all that dispatch.can_run may accept
    for a problem of one of them (it requires both), so that a selection scans those, not every kernel (a one-launch
    selection for a new problem: ~155 us of host time over the default build's 412 kernels, ~97 us over a dtype's 38
    one-launch ones, on the 2-core CPU machine; NOTES.md, entry 148). On the H100/H200 every kernel fits; a build for
    a GPU with less (sm_86, sm_89, sm_120: 99 KB) runs its batches on the kernels that fit, the generic ones among
    them."""
    return tuple(k for k in load_manifest().kernels
                 if k.op in ops and k.dtype == dtype and loader.cannot_run(k, arch, max_smem_per_block) is None)


def _device_kernels(ops: tuple[str, ...], dtype: str, device_index: Optional[int]) -> tuple[KernelRecord, ...]:
    dev = loader.device(device_index)
    return _installed_kernels(ops, dtype, dev.arch, dev.max_smem_per_block)


@functools.lru_cache(maxsize=4096)
def _installed_kernel(problem: Problem, device_index: Optional[int]) -> KernelRecord:
    """select() over the installed kernels that device can launch, once per distinct problem and device."""
    return select(problem, _device_kernels((problem.op,), problem.dtype, device_index))


@functools.lru_cache(maxsize=4096)
def _installed_one_launch_kernel(problem: Problem, device_index: Optional[int]) -> Optional[KernelRecord]:
    """one_launch.one_launch_kernel over the installed manifest for that device, once per distinct problem."""
    dev = loader.device(device_index)
    kernels = _device_kernels(ONE_LAUNCH_OPS, problem.dtype, device_index)
    return one_launch_kernel(problem, kernels, dev.num_sms, dev.resident_blocks,
                             resident_clusters=dev.resident_clusters)


@functools.lru_cache(maxsize=4096)
def _installed_launch(problem: Problem, kernel: KernelRecord, device_index: Optional[int], partial: bool) -> Launch:
    """launch_plan.plan of `kernel` on `problem` for that device (its SM count and the driver's occupancy), once per
    distinct problem, kernel and device: plan costs 2-20 us of host time a launch (NOTES.md, entry 345)."""
    dev = loader.device(device_index)
    resident = dev.resident_blocks(kernel) if problem.op in ("shrink", "prefill", "fused") else 0
    return plan(problem, kernel, dev.num_sms, partial=partial, clusters=dev.arch >= loader.CLUSTERS_FROM_ARCH,
                resident_blocks=resident, resident_clusters=dev.resident_clusters)


def _prepare(problem: Problem, ref: torch.Tensor, kernel: Optional[KernelRecord],
             partial: bool = False) -> tuple[KernelRecord, Launch]:
    if kernel is None:
        kernel = _installed_kernel(problem, ref.device.index)
    elif not can_run(problem, kernel):
        raise UnsupportedError(f"kernel {kernel.name} cannot run {problem}")
    return kernel, _installed_launch(problem, kernel, ref.device.index, partial)


def _params(rows: Rows, scales: Optional[torch.Tensor], scale: float, slices: Sequence[SgmvSlice],
            geometry: Optional[Launch] = None, **fields) -> SgmvParams:
    ptr = lambda t: t.data_ptr() if t is not None else None  # noqa: E731
    fields.setdefault("k_splits", 1)
    fields.setdefault("flat_tiles", int(geometry is not None and geometry.flat))
    fields.setdefault("col_tiles_per_block", geometry.col_tiles_per_block if geometry is not None else 1)
    # Tables read before the previous kernel is done: never with per-adapter scales or ranks, device tensors of
    # unknown origin that the kernels read with them, but the package's own table of ranks an earlier call made
    # (Rows.ranks_ready).
    tables_ready = (rows.tables_ready and scales is None and (rows.ranks is None or rows.ranks_ready)
                    and geometry is not None and reads_tables_early(geometry))
    params = SgmvParams(seg_indptr=ptr(rows.seg_indptr), lora_indices=ptr(rows.lora_indices), scales=ptr(scales),
                        row_index=ptr(rows.row_index), ranks=ptr(rows.ranks), scale=scale,
                        num_segments=rows.num_segments, indptr_is_64=int(rows.seg_indptr.dtype == torch.int64),
                        lora_is_64=int(rows.lora_indices.dtype == torch.int64),
                        ranks_is_64=int(rows.ranks is not None and rows.ranks.dtype == torch.int64),
                        num_slices=len(slices), rank=max(s.rank for s in slices),
                        tables_ready=int(tables_ready), **fields)
    for i, s in enumerate(slices):
        params.slices[i] = s
    return params


def _slice(w: torch.Tensor, rank: int, hidden: int, v_col: int, y_col: int = 0, tile_begin: int = 0) -> SgmvSlice:
    return SgmvSlice(w=w.data_ptr(), w_stride_lora=w.stride(0), w_stride_row=w.stride(1), rank=rank, hidden=hidden,
                     v_col=v_col, y_col=y_col, tile_begin=tile_begin)


def _groups(weights: Sequence[torch.Tensor], rank_dim: int, out_dim: Optional[int] = None
            ) -> Iterator[tuple[list[torch.Tensor], int, int]]:
    """Launch groups of at most PAIR_SLICES output slices: (weights, first v column, first y column)."""
    v_col = y_col = 0
    for start in range(0, len(weights), PAIR_SLICES):
        group = list(weights[start:start + PAIR_SLICES])
        yield group, v_col, y_col
        v_col += sum(w.shape[rank_dim] for w in group)
        y_col += sum(w.shape[out_dim] for w in group) if out_dim is not None else 0


def _shrink_slices(group: list[torch.Tensor], v_col: int) -> list[SgmvSlice]:
    cols = itertools.accumulate([v_col] + [a.shape[1] for a in group[:-1]])
    return [_slice(a, a.shape[1], a.shape[2], c) for a, c in zip(group, cols)]


def _expand_slices(group: list[torch.Tensor], v_col: int, y_col: int, geometry: Launch) -> list[SgmvSlice]:
    v_cols = itertools.accumulate([v_col] + [b.shape[2] for b in group[:-1]])
    y_cols = itertools.accumulate([y_col] + [b.shape[1] for b in group[:-1]])
    return [_slice(b, b.shape[2], b.shape[1], vc, yc, t)
            for b, vc, yc, t in zip(group, v_cols, y_cols, geometry.tile_begins)]


def other_half_slice(rank: int) -> SgmvSlice:
    """The slice a prefill half (prefill_phases) does not stream: the expand's in a shrink half's launch, the
    shrink's in an expand half's; of width 0, no weights."""
    return SgmvSlice(w=0, w_stride_lora=0, w_stride_row=0, rank=rank, hidden=0, v_col=0)


def _nothing_to_do(rows: int, cols: int, num_segments: int, num_loras: int) -> bool:
    return rows == 0 or cols == 0 or num_segments == 0 or num_loras == 0


def shrink_into(v: torch.Tensor, x: torch.Tensor, lora_a: Sequence[torch.Tensor], rows: Rows,
                scales: Optional[torch.Tensor], scale: float, kernel: Optional[KernelRecord] = None) -> None:
    """v [T, sum of ranks] float32, zeroed by the caller, += scale * x @ A[l].T per segment and slice."""
    if _nothing_to_do(x.shape[0], v.shape[1], rows.num_segments, lora_a[0].shape[0]):
        return
    with torch.cuda.device(x.device):
        for group, v_col, _ in _groups(lora_a, rank_dim=1):
            problem = Problem.for_shrink(x, group, rows.num_segments, rows.max_segment_rows)
            half = _phase_kernel(problem, rows, x, kernel, v_in_pairs(v, v_col))
            if half is not None:  # the prefill tile's shrink half stores v (zeroed by the caller) for a tall batch
                _launch_phase(half, problem, x, rows, scales, scale, [_shrink_slices(group, v_col)[0],
                                                                      other_half_slice(problem.rank)],
                              x=x.data_ptr(), y=v.data_ptr(), ld_x=x.stride(0), ld_y=v.stride(0),
                              num_loras=group[0].shape[0])
                continue
            kernel_, geometry = _prepare(problem, x, kernel)
            params = _params(rows, scales, scale, _shrink_slices(group, v_col), geometry, x=x.data_ptr(),
                             y=v.data_ptr(), ld_x=x.stride(0), ld_y=v.stride(0), num_rows=x.shape[0],
                             num_loras=group[0].shape[0], k_splits=geometry.k_splits)
            loader.launch(kernel_, geometry, params, x)


def expand(y: torch.Tensor, v: torch.Tensor, lora_b: Sequence[torch.Tensor], rows: Rows,
           scales: Optional[torch.Tensor], scale: float, kernel: Optional[KernelRecord] = None) -> None:
    """y [T, sum of h_out] += scale * v @ B[l].T per segment and slice, in place."""
    if _nothing_to_do(y.shape[0], y.shape[1], rows.num_segments, lora_b[0].shape[0]):
        return
    with torch.cuda.device(y.device):
        for group, v_col, y_col in _groups(lora_b, rank_dim=2, out_dim=1):
            problem = Problem.for_expand(y, v, group, rows.num_segments, rows.max_segment_rows)
            half = _phase_kernel(problem, rows, y, kernel, v_in_pairs(v, v_col))
            if half is not None:  # the prefill tile's expand half for a tall batch
                _launch_phase(half, problem, y, rows, scales, scale,
                              [other_half_slice(problem.rank), _slice(group[0], group[0].shape[2], group[0].shape[1],
                                                                      v_col, y_col)],
                              x=v.data_ptr(), y=y.data_ptr(), ld_x=v.stride(0), ld_y=y.stride(0),
                              num_loras=group[0].shape[0])
                continue
            kernel_, geometry = _prepare(problem, y, kernel)
            params = _params(rows, scales, scale, _expand_slices(group, v_col, y_col, geometry), geometry,
                             x=v.data_ptr(),
                             y=y.data_ptr(), ld_x=v.stride(0), ld_y=y.stride(0), num_rows=y.shape[0],
                             num_loras=group[0].shape[0])
            loader.launch(kernel_, geometry, params, y)


@functools.lru_cache(maxsize=4096)
def _installed_phase_kernel(problem: Problem, device_index: Optional[int]) -> Optional[KernelRecord]:
    """prefill_phases.phase_kernel over the installed kernels that device can launch (sm_90: clusters), once per
    distinct problem."""
    if loader.device(device_index).arch < loader.CLUSTERS_FROM_ARCH:
        return None
    return prefill_phases.phase_kernel(problem, _device_kernels(("prefill",), problem.dtype, device_index))


def v_in_pairs(v: torch.Tensor, v_col: int) -> bool:
    """Whether a prefill half may read or write v's columns from `v_col` as 8-byte pairs of floats (prefill.cuh's
    load_v and store_v): rows of whole pairs from an 8-byte aligned base. (Problem.for_expand asks 16 bytes of v's
    base and rows; an earlier group's slices can leave v_col odd, and the shrink's v its rows.)"""
    return v.stride(1) == 1 and v.stride(0) % 2 == 0 and v_col % 2 == 0 and v.data_ptr() % 8 == 0


def _phase_kernel(problem: Problem, rows: Rows, ref: torch.Tensor, kernel: Optional[KernelRecord],
                  v_ok: bool) -> Optional[KernelRecord]:
    """The prefill half that runs standalone `problem` (prefill_phases), or None: `kernel` where it is one (forced:
    it must be the half of the problem's op and rank, the call must not give true ranks, which the halves do not
    take, and v must take pairs, `v_ok`: v_in_pairs), else dispatch's pick for such calls."""
    if kernel is not None and kernel.phase:
        if rows.ranks is not None or not v_ok or not prefill_phases.can_run_half(problem, kernel):
            raise UnsupportedError(f"kernel {kernel.name} cannot run {problem}")
        return kernel
    if kernel is not None or rows.ranks is not None or not v_ok:
        return None
    return _installed_phase_kernel(problem, ref.device.index)


def _launch_phase(kernel: KernelRecord, problem: Problem, ref: torch.Tensor, rows: Rows,
                  scales: Optional[torch.Tensor], scale: float, slices: list[SgmvSlice], **fields) -> None:
    """One launch of a prefill half (_phase_kernel's: checked there; slices: the shrink's and the expand's, the other
    half's of width 0) as the prefill kernel is launched (the plan of its phase_problem)."""
    geometry = _installed_launch(prefill_phases.phase_problem(problem), kernel, ref.device.index, False)
    params = _params(rows, scales, scale, slices, geometry, num_rows=ref.shape[0], **fields)
    overlap = OVERLAP_PREVIOUS_CALL and bool(dispatch.PREFILL_OVERLAP_PREVIOUS)
    loader.launch(kernel, geometry, params, ref, overlap_previous=overlap)


@functools.lru_cache(maxsize=4096)
def _over_installed(pick: Callable, problem: Problem, device_index: Optional[int]):
    """pick(problem, the installed one-launch kernels, and that device's SM count and occupancy), once per distinct
    pick and problem: one_launch_padded.one_launch_plan (add_lora's), and for tests and tools its steps
    one_launch.rank_split, one_launch_padded.padded_one_launch and rank_parts."""
    dev = loader.device(device_index)
    kernels = _device_kernels(ONE_LAUNCH_OPS, problem.dtype, device_index)
    return pick(problem, kernels, dev.num_sms, dev.resident_blocks, dev.resident_clusters)


def _installed_rank_split(problem: Problem, device_index: Optional[int]) -> Optional[Problem]:
    return _over_installed(one_launch.rank_split, problem, device_index)


def _installed_padded_one_launch(problem: Problem, device_index: Optional[int]
                                 ) -> Optional[tuple[Problem, KernelRecord]]:
    return _over_installed(one_launch_padded.padded_one_launch, problem, device_index)


def _installed_rank_parts(problem: Problem, device_index: Optional[int]) -> Optional[tuple[int, ...]]:
    return _over_installed(one_launch_padded.rank_parts, problem, device_index)


def _installed_one_launch_plan(problem: Problem, device_index: Optional[int]) -> Optional[tuple[OneLaunch, ...]]:
    return _over_installed(one_launch_padded.one_launch_plan, problem, device_index)


def clear_selections() -> None:
    """Forgets every memoized kernel selection and launch plan: for tools and tests that change the constants of
    dispatch, launch_plan or one_launch*, or the manifest, while the process runs."""
    for memo in (_installed_kernels, _installed_kernel, _installed_one_launch_kernel, _over_installed,
                 _installed_launch, _installed_phase_kernel, _installed_packed_kernel):
        memo.cache_clear()


def _one_launches(problem: Problem, ref: torch.Tensor, fused: Optional[KernelRecord | bool]
                  ) -> Optional[tuple[OneLaunch, ...]]:
    """The one-launch kernels that run this add_lora (one_launch_padded.one_launch_plan on sm_90, unless `fused`
    forces a kernel), or None for the launch pair (also where `fused` is False)."""
    if fused is False:
        return None
    dev = loader.device(ref.device.index)
    if isinstance(fused, KernelRecord):
        _check_runs_here(fused, ref)
        if fused.op in ("prefill", "gemv") and problem.true_ranks and not fused.true_ranks:
            raise UnsupportedError(f"{fused.name} computes every adapter at the full rank: no true ranks")
        return (OneLaunch(0, problem, problem, fused),)
    if dev.arch < loader.CLUSTERS_FROM_ARCH:
        return None
    return _installed_one_launch_plan(problem, ref.device.index)


def _check_runs_here(kernel: KernelRecord, ref: torch.Tensor) -> None:
    """Raises UnsupportedError where ref's device cannot run a kernel the caller forces (e.g. built for sm_80 too, a
    one-launch kernel runs nothing there)."""
    dev = loader.device(ref.device.index)
    reason = loader.cannot_run(kernel, dev.arch, dev.max_smem_per_block)
    if reason is not None:
        raise UnsupportedError(reason)


def add_lora(y: torch.Tensor, x: torch.Tensor, lora_a: Sequence[torch.Tensor], lora_b: Sequence[torch.Tensor],
             rows: Rows, scales: Optional[torch.Tensor], scale: float,
             kernels: tuple[Optional[KernelRecord], Optional[KernelRecord]] = (None, None),
             fused: Optional[KernelRecord | bool] = None) -> None:
    """y += scale * (x @ A[l].T) @ B[l].T. One output slice, on sm_90, in one-launch kernels where
    one_launch_padded.one_launch_plan takes the batch: decode batches in one launch of the fused kernel
    (fused.cuh: v summed in clusters for small batches at ranks 8-16, else through the grid handoff, handoff.cuh, up
    to 512 rows of v at rank 64, 256 at rank 128; rank-8 and rank-16 batches of one-row segments, where
    one_launch_gemv.prefers_gemv takes them, on the gemv kernel, gemv.cuh);
    batches of many segments of up to 31 rows, long segments, and the mid-size batches between, in one launch of the
    prefill kernel (prefill.cuh; with true ranks its variant for them; one_launch.prefers_prefill). A batch without a
    one-launch kernel at its rank (at 128, whose prefill kernel is a 64-row tile: over 256 rows where that tile does not
    take them, e.g. many short segments) whose half has one: two such launches, one a half of the rank each
    (one_launch.rank_split). At rank 8, whose only prefill kernel is a 16-row tile, the batches it
    takes run on rank 16's variant for true ranks, every adapter given rank 8, or where that is its 16-row tile on
    rank 8's own; a rank off the build's grid (24, 48, 96, ...) on the one-launch kernels of the next rank up, every
    adapter given the call's rank (one_launch_padded.padded_one_launch). A rank none of those take whole (96 where
    rank 128 runs the batch as halves; past the grid's largest rank) as consecutive parts of the rank each of which one
    takes, one launch a part (one_launch_padded.rank_parts: 96 as 64 + 32). Several output slices (a packed
    projection): one one-slice call of these a slice where slice_calls takes the call (tall batches, rank 128's two
    slices), else one launch of a fused kernel for packed calls where slice_calls.packed_kernel gives one (decode
    batches of up to 4 slices of one rank, 16-64). Otherwise a split-K shrink storing partial slices of v, then an
    expand that sums them as it loads v, launched to overlap the shrink's tail (programmatic dependent launch); one
    such pair per PAIR_SLICES output slices.
    `kernels` overrides the (shrink, expand) selection; `fused` a kernel to force the one-launch path with, False to
    forbid it, None to let dispatch choose."""
    if _nothing_to_do(x.shape[0], y.shape[1], rows.num_segments, lora_a[0].shape[0]):
        return
    with torch.cuda.device(x.device):
        one = (Problem.for_add_lora(y, x, lora_a[0], lora_b[0], rows.num_segments, rows.max_segment_rows,
                                    true_ranks=rows.ranks is not None) if len(lora_a) == 1 else None)
        launches = _one_launches(one, x, fused if kernels == (None, None) else False) if one is not None else None
        if one is None and kernels == (None, None) and fused is None:
            calls = _slice_calls(y, x, lora_a, lora_b, rows)
            if calls is not None:  # a packed call, one one-slice call a slice (slice_calls)
                for problem, steps, y_part, a, b in calls:
                    _launch_one_launches(steps, problem, y_part, x, a, b, rows, scales, scale)
                return
        packed_forced = isinstance(fused, KernelRecord) and fused.packed
        if one is None and kernels == (None, None) and (fused is None or packed_forced):
            packed = _packed_launch(y, x, lora_a, lora_b, rows, fused)
            if packed is not None:  # a packed call in one launch (slice_calls.packed_kernel, or the forced kernel)
                _launch_fused(packed[1], packed[0], y, x, list(zip(lora_a, lora_b)), rows, scales, scale)
                return
        if launches is None or not _launch_one_launches(launches, one, y, x, lora_a[0], lora_b[0], rows, scales,
                                                        scale):
            _launch_pairs(y, x, lora_a, lora_b, rows, scales, scale, kernels)


def _slice_calls(y: torch.Tensor, x: torch.Tensor, lora_a: Sequence[torch.Tensor], lora_b: Sequence[torch.Tensor],
                 rows: Rows) -> Optional[list[tuple]]:
    """A packed add_lora as one one-slice add_lora a slice, where slice_calls takes it (its shape first, then each
    slice's plan): each slice's (problem, its one-launch plan of one step over the whole slice, its columns of y, A,
    B); None for the launch pair."""
    if not slice_calls.takes_shape(x.shape[0], x.shape[1], rows.num_segments, [a.shape[1] for a in lora_a],
                                   [b.shape[1] for b in lora_b]):
        return None
    calls = []
    for (problem, col), a, b in zip(_slice_problems(y, x, lora_a, lora_b, rows), lora_a, lora_b):
        steps = _one_launches(problem, x, None)
        whole = steps is not None and all(step.part == problem for step in steps)  # no views: launches as planned
        calls.append((problem, steps if whole else None, y[:, col:col + b.shape[1]], a, b))
    return calls if slice_calls.one_launch_each([c[1] for c in calls]) else None


def _slice_problems(y: torch.Tensor, x: torch.Tensor, lora_a: Sequence[torch.Tensor],
                    lora_b: Sequence[torch.Tensor], rows: Rows) -> list[tuple[Problem, int]]:
    """Each output slice of a packed add_lora as a call of its own: (Problem.for_add_lora over its columns of y, its
    first column of y)."""
    parts, col = [], 0
    for a, b in zip(lora_a, lora_b):
        parts.append((Problem.for_add_lora(y, x, a, b, rows.num_segments, rows.max_segment_rows,
                                           true_ranks=rows.ranks is not None, y_col=col), col))
        col += b.shape[1]
    return parts


@functools.lru_cache(maxsize=4096)
def _installed_packed_kernel(problem: Problem, device_index: Optional[int]) -> Optional[KernelRecord]:
    """slice_calls.packed_kernel over the installed fused kernels that device can launch, once per distinct problem."""
    dev = loader.device(device_index)
    return slice_calls.packed_kernel(problem, _device_kernels(("fused",), problem.dtype, device_index), dev.num_sms,
                                     dev.resident_blocks)


def _packed_launch(y: torch.Tensor, x: torch.Tensor, lora_a: Sequence[torch.Tensor], lora_b: Sequence[torch.Tensor],
                   rows: Rows, kernel: Optional[KernelRecord]) -> Optional[tuple[Problem, KernelRecord]]:
    """A packed add_lora in one launch of a fused kernel for packed calls: (slice_calls.packed_problem's problem, the
    kernel), `kernel` where the caller forces one (UnsupportedError where it cannot run the call), else where
    slice_calls.PACKED_LAUNCH is on and, on sm_90, slice_calls.packed_kernel takes the call; None for the launch
    pair."""
    if kernel is None and (not slice_calls.PACKED_LAUNCH
                           or loader.device(x.device.index).arch < loader.CLUSTERS_FROM_ARCH):
        return None
    problem = None
    if len(lora_a) <= slice_calls.PACKED_MAX_SLICES and len({w.shape[0] for w in (*lora_a, *lora_b)}) == 1:
        problem = slice_calls.packed_problem([part for part, _ in _slice_problems(y, x, lora_a, lora_b, rows)])
    if kernel is None:
        kernel = problem and _installed_packed_kernel(problem, x.device.index)
        return None if kernel is None else (problem, kernel)
    _check_runs_here(kernel, x)
    if problem is None or not can_run(problem, kernel):
        raise UnsupportedError(f"kernel {kernel.name} cannot run this packed call ({len(lora_a)} slices"
                               + (f": {problem})" if problem is not None else ", of one rank and h_in, up to "
                                  f"{slice_calls.PACKED_MAX_SLICES}, aligned, the same adapters)"))
    return problem, kernel


def _launch_one_launches(launches: tuple[OneLaunch, ...], problem: Problem, y: torch.Tensor, x: torch.Tensor,
                         lora_a: torch.Tensor, lora_b: torch.Tensor, rows: Rows, scales: Optional[torch.Tensor],
                         scale: float) -> bool:
    """add_lora `problem` as these one-launch kernels, each over its part (A's rows and B's columns as views where a
    part is not the whole call), with a table giving every adapter the part's rank where its kernel is a higher rank's
    with true ranks; False, nothing launched, where a view is not the problem the plan assumed (its strides): the
    launch pair's."""
    views = []
    for launch in launches:
        a, b = lora_a, lora_b
        if launch.part != problem:
            last = launch.first + launch.part.rank
            a, b = lora_a[:, launch.first:last], lora_b[:, :, launch.first:last]
            if Problem.for_add_lora(y, x, a, b, rows.num_segments, rows.max_segment_rows) != launch.part:
                return False
        views.append((a, b))
    for launch, (a, b) in zip(launches, views):
        part_rows = rows
        if launch.needs_rank_table:
            ranks, ready = _rank_table(x, launch.part.rank, a.shape[0])
            part_rows = dataclasses.replace(rows, ranks=ranks, ranks_ready=ready)
        _launch_fused(launch.kernel, launch.run, y, x, [(a, b)], part_rows, scales, scale)
    return True


def _per_stream(cache: dict, ref: torch.Tensor, key: tuple,
                make: Callable[[], torch.Tensor]) -> tuple[torch.Tensor, bool]:
    """The tensor of `cache` for `key` on ref's device, its current stream and the graph that stream captures (if
    any), made by `make` on first use and kept for the process: made while capturing, its initialisation is one of
    the graph's nodes, so launches that may run at the same time never share one and none is read before it is
    initialised. Two threads racing here share one (setdefault: a replaced one could be freed in use). With it,
    whether an earlier call made it (the cache held it already)."""
    stream = torch.cuda.current_stream(ref.device)
    capture = loader.capture_id(stream.cuda_stream) if torch.cuda.is_current_stream_capturing() else 0
    full_key = (ref.device.index, stream.cuda_stream, capture, *key)
    tensor = cache.get(full_key)
    if tensor is not None:
        return tensor, True
    return cache.setdefault(full_key, make()), False


# Tables of one rank for every adapter (OneLaunch.needs_rank_table), int32, read only: per device, stream and captured
# graph (_per_stream).
_rank_tables: dict[tuple, torch.Tensor] = {}


def _rank_table(ref: torch.Tensor, rank: int, num_loras: int) -> tuple[torch.Tensor, bool]:
    """The table, and whether an earlier call made it (then no kernel writes it any more: a launch may read it before
    waiting for the kernel before it, as the batch tables; the fill of a table made now may still be running, or in a
    graph be the node right before)."""
    return _per_stream(_rank_tables, ref, (rank, num_loras),
                       lambda: torch.full((num_loras,), rank, dtype=torch.int32, device=ref.device))


# The fused kernel's grid handoff (csrc/sgmv/handoff.cuh) keeps its barrier and two buffers of v in a workspace
# that outlives the call and that a launch leaves ready for the next: per device, stream and captured graph
# (_per_stream; its zeroing the graph's node). Each is 288 KB (two buffers of v, then the row tiles' counters).
_handoff_workspaces: dict[tuple, torch.Tensor] = {}


def _handoff_workspace(ref: torch.Tensor) -> torch.Tensor:
    floats = (dispatch.HANDOFF_HEADER_FLOATS + 2 * dispatch.HANDOFF_BUFFER_FLOATS
              + dispatch.HANDOFF_MAX_TILES * dispatch.HANDOFF_TILE_PITCH)
    return _per_stream(_handoff_workspaces, ref, (),
                       lambda: torch.zeros(floats, dtype=torch.float32, device=ref.device))[0]


def _launch_fused(kernel: KernelRecord, problem: Problem, y: torch.Tensor, x: torch.Tensor,
                  pairs: Sequence[tuple[torch.Tensor, torch.Tensor]], rows: Rows, scales: Optional[torch.Tensor],
                  scale: float) -> None:
    """add_lora in one launch (the fused, prefill or gemv kernel; `problem` the one it runs: a OneLaunch's run, or as
    Problem.for_add_lora gives it): `pairs` one (lora_a, lora_b), slices[0] the shrink's, slices[1] the expand's; a
    packed launch (`problem` slice_calls.packed_problem's) one a slice, slices[2s] and slices[2s + 1] slice s's, its
    B's y_col its first column of y."""
    kernel, geometry = _prepare(one_launch_problem(problem, kernel), x, kernel)
    handoff = dict(handoff=_handoff_workspace(x).data_ptr(), split_stride=dispatch.HANDOFF_BUFFER_FLOATS
                   ) if geometry.handoff else {}
    slices, y_col = [], 0
    for a, b in pairs:
        slices += [_slice(a, a.shape[1], x.shape[1], 0), _slice(b, b.shape[2], b.shape[1], 0, y_col)]
        y_col += b.shape[1]
    params = _params(rows, scales, scale, slices, geometry, x=x.data_ptr(), y=y.data_ptr(), ld_x=x.stride(0),
                     ld_y=y.stride(0), num_rows=x.shape[0], num_loras=pairs[0][0].shape[0], **handoff)
    overlap = OVERLAP_PREVIOUS_CALL and (kernel.op != "prefill" or bool(dispatch.PREFILL_OVERLAP_PREVIOUS))
    loader.launch(kernel, geometry, params, x, overlap_previous=overlap)


def _launch_pairs(y: torch.Tensor, x: torch.Tensor, lora_a: Sequence[torch.Tensor], lora_b: Sequence[torch.Tensor],
                  rows: Rows, scales: Optional[torch.Tensor], scale: float,
                  kernels: tuple[Optional[KernelRecord], Optional[KernelRecord]]) -> None:
    """add_lora as a shrink-expand pair per PAIR_SLICES output slices, v in a workspace of partial slices."""
    num_rows = x.shape[0]
    groups = zip(_groups(lora_a, rank_dim=1), _groups(lora_b, rank_dim=2, out_dim=1))
    for (group_a, _, _), (group_b, _, y_col) in groups:
        shrink_kernel, shrink_geometry = _prepare(
            Problem.for_shrink(x, group_a, rows.num_segments, rows.max_segment_rows), x, kernels[0], partial=True)
        parts, rank = shrink_geometry.partial_slices, sum(a.shape[1] for a in group_a)
        v = torch.empty(parts, num_rows, rank, dtype=torch.float32, device=x.device)
        beside_shrink = loader.device(y.device.index).arch >= 90  # the expand is a dependent launch (PDL)
        expand_kernel, expand_geometry = _prepare(
            Problem.for_expand(y, v[0], group_b, rows.num_segments, rows.max_segment_rows, beside_shrink), y,
            kernels[1])
        common = dict(num_rows=num_rows, num_loras=group_a[0].shape[0], partials=1, split_stride=num_rows * rank)
        shrink_params = _params(rows, None, 1.0, _shrink_slices(group_a, 0), shrink_geometry, x=x.data_ptr(),
                                y=v.data_ptr(), ld_x=x.stride(0), ld_y=rank, k_splits=shrink_geometry.k_splits,
                                cluster_splits=shrink_geometry.cluster, **common)
        loader.launch(shrink_kernel, shrink_geometry, shrink_params, x, overlap_previous=OVERLAP_PREVIOUS_CALL)
        expand_params = _params(rows, scales, scale, _expand_slices(group_b, 0, y_col, expand_geometry),
                                expand_geometry, x=v.data_ptr(), y=y.data_ptr(), ld_x=rank, ld_y=y.stride(0),
                                k_splits=parts, **common)
        loader.launch(expand_kernel, expand_geometry, expand_params, y, overlap_previous=True)
