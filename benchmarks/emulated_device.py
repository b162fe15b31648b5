"""The kernels' contract on the CPU: a stand-in launch (for stub_device.stubbed) that reads a launch's SgmvParams from
memory and computes the op it describes with sgmv.reference, as csrc/sgmv/params.cuh and segments.cuh define it:
segment bounds clamped to the rows, adapters outside [0, num_loras) skipped, rows through row_index (clamped), true
ranks clamped to the kernel's rank, v as partial slices where the launch says so. Tensors stay on the CPU, so their
pointers are this process's addresses and a launch's arguments are read where they point.

What it checks is the host's side: that the pointers, strides, offsets, views, tables of ranks and slices add_lora
and the pair launch with describe the call (tests/test_add_lora_launches.py runs random problems through it against
the reference). A launch whose kernel would read an adapter's weights past the slice it was given (its rank above the
slice's, without a table of ranks to hold it) raises OutOfSlice, as compute-sanitizer or the GPU tests' NaN after the
last adapter would show on the GPU. The kernels' own arithmetic is the GPU tests' to check, not this module's."""
import contextlib
import ctypes
from typing import Iterator, Optional

import torch

from sgmv import reference
from sgmv.batch import LoraBatch

import stub_device

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


class OutOfSlice(Exception):
    """A launch whose kernel would read weights past the slice it was given."""


def view(pointer: int, dtype: torch.dtype, shape: tuple[int, ...], strides: tuple[int, ...]) -> torch.Tensor:
    """The tensor of `shape` and element `strides` at `pointer` (this process's memory), read and written in place."""
    if not all(shape):
        return torch.empty(shape, dtype=dtype)
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, strides))
    element = torch.empty((), dtype=dtype).element_size()
    memory = (ctypes.c_char * (extent * element)).from_address(pointer)
    return torch.frombuffer(memory, dtype=dtype, count=extent).as_strided(shape, strides)


def _table(pointer: Optional[int], count: int, dtype: torch.dtype) -> Optional[torch.Tensor]:
    """A copy of the [count] table at `pointer`, or None for a null one."""
    return None if not pointer else view(pointer, dtype, (count,), (1,)).clone()


def _index_type(is_64: int) -> torch.dtype:
    return torch.int64 if is_64 else torch.int32


def _batch(p) -> LoraBatch:
    """The batch as the kernels read it: its tables, rows through row_index clamped to [0, num_rows)."""
    row_index = _table(p.row_index, p.num_rows, torch.int32)
    if row_index is not None:
        row_index = row_index.clamp(0, max(p.num_rows - 1, 0))
    return LoraBatch(_table(p.seg_indptr, p.num_segments + 1, _index_type(p.indptr_is_64)),
                     _table(p.lora_indices, p.num_segments, _index_type(p.lora_is_64)), row_index=row_index)


def _active_loras(batch: LoraBatch, num_rows: int, num_loras: int) -> set[int]:
    return {lora for _, lora in reference._active_segments(batch, num_rows, num_loras)}


def _ranks(p, batch: LoraBatch, kernel_rank: int, slice_rank: int, what: str, kernel_name: str
           ) -> tuple[int, Optional[torch.Tensor]]:
    """(the rows of each adapter's weights the kernel reads: its largest active rank, the table of ranks clamped to
    kernel_rank or None); OutOfSlice where that passes the slice's rank."""
    ranks = _table(p.ranks, p.num_loras, _index_type(p.ranks_is_64))
    active = _active_loras(batch, p.num_rows, p.num_loras)
    if ranks is not None:
        ranks = ranks.clamp(0, kernel_rank)
        used = max((int(ranks[lora]) for lora in active), default=0)
    else:
        used = kernel_rank if active else 0
    if used > slice_rank:
        raise OutOfSlice(f"{kernel_name} reads {what} rows up to rank {used} of a slice of rank {slice_rank}")
    return used, ranks


def _weights(s, num_loras: int, rows: int, cols: int, dtype: torch.dtype) -> torch.Tensor:
    """A slice's stacked weights: lora_a [num_loras, rows (rank), cols (h_in)] or lora_b [num_loras, rows (h_out),
    cols (rank)]."""
    return view(s.w, dtype, (num_loras, rows, cols), (s.w_stride_lora, s.w_stride_row, 1))


def _y_columns(p, s, dtype: torch.dtype) -> torch.Tensor:
    """y's columns of expand slice `s`: its h_out from its y_col on, every row."""
    return view(p.y + torch.empty((), dtype=dtype).element_size() * s.y_col, dtype, (p.num_rows, s.hidden), (p.ld_y, 1))


def _add_into(y: torch.Tensor, delta: torch.Tensor) -> None:
    y.copy_((y.float() + delta).to(y.dtype))


def _one_launch(kernel, geometry, p, dtype: torch.dtype) -> None:
    """add_lora in one launch (fused, prefill, gemv): slices[0] A, slices[1] B (B's y_col its first column of y), at
    the kernel's rank or each adapter's true rank (clamped to it); a fused kernel for packed calls (kernel.packed) so
    for each pair of slices (2s, 2s + 1) that its grid x (num_segments a pair) reaches."""
    pairs = 1
    if getattr(kernel, "packed", False):  # grid x: the pairs (the flat grid), else the segments of every pair
        per_pair = 1 if kernel.flat_tiles else p.num_segments
        pairs = geometry.grid[0] // max(1, per_pair)
        if geometry.grid[0] != pairs * per_pair or not 1 <= pairs <= p.num_slices // 2:
            raise ValueError(f"{kernel.name}: grid x {geometry.grid[0]} is not {per_pair} a pair times one "
                             f"of {p.num_slices // 2} pairs")
    for pair in range(pairs):
        a, b = p.slices[2 * pair], p.slices[2 * pair + 1]
        batch = _batch(p)
        used, ranks = _ranks(p, batch, kernel.rank, min(a.rank, b.rank), "A's and B's", kernel.name)
        if not used:
            continue
        x = view(p.x, dtype, (p.num_rows, a.hidden), (p.ld_x, 1))
        y = _y_columns(p, b, dtype)
        lora_a = _weights(a, p.num_loras, used, a.hidden, dtype)
        lora_b = _weights(b, p.num_loras, b.hidden, used, dtype)
        scales = _table(p.scales, p.num_loras, torch.float32)
        _add_into(y, reference.add_lora_delta(x, lora_a, lora_b, batch, p.scale, scales, ranks=ranks))


def _partial_slices(p) -> int:
    return p.k_splits // max(1, p.cluster_splits) if p.partials else 1


def _shrink(kernel, p, dtype: torch.dtype) -> None:
    """v (float32, p.y) += scale * x @ A[l].T per slice at its columns; with partials, the sum stored as the first
    partial slice and zeros as the others, on the active segments' rows."""
    batch = _batch(p)
    x = view(p.x, dtype, (p.num_rows, p.slices[0].hidden), (p.ld_x, 1))
    scales = _table(p.scales, p.num_loras, torch.float32)
    for s in p.slices[:p.num_slices]:
        rank = min(kernel.rank, s.rank) if kernel.rank else s.rank
        used, ranks = _ranks(p, batch, rank, s.rank, "A's", kernel.name)
        parts = [view(p.y + 4 * (i * p.split_stride + s.v_col), torch.float32, (p.num_rows, s.rank), (p.ld_y, 1))
                 for i in range(_partial_slices(p))]
        got = torch.zeros(p.num_rows, s.rank)
        if used:
            lora_a = _weights(s, p.num_loras, used, s.hidden, dtype)
            got[:, :used] = reference.sgmv(x, lora_a, batch, p.scale, scales, ranks=ranks, rank_axis=1)
        if not p.partials:
            parts[0] += got
            continue
        for rows, _ in reference._active_segments(batch, p.num_rows, p.num_loras):
            parts[0][rows] = got[rows]
            for part in parts[1:]:
                part[rows] = 0.0


def _expand(kernel, p, dtype: torch.dtype) -> None:
    """y[:, y_col of each slice] += scale * v @ B[l].T, v (float32, p.x) the sum of its partial slices."""
    batch = _batch(p)
    scales = _table(p.scales, p.num_loras, torch.float32)
    for s in p.slices[:p.num_slices]:
        rank = kernel.rank or s.rank
        used, ranks = _ranks(p, batch, rank, s.rank, "B's", kernel.name)
        if not used:
            continue
        v = sum(view(p.x + 4 * (i * p.split_stride + s.v_col), torch.float32, (p.num_rows, used), (p.ld_x, 1))
                for i in range(_partial_slices(p)))
        y = _y_columns(p, s, dtype)
        lora_b = _weights(s, p.num_loras, s.hidden, used, dtype)
        _add_into(y, reference.sgmv(v, lora_b, batch, p.scale, scales, ranks=ranks, rank_axis=2))


def _prefill_half(kernel, p, dtype: torch.dtype) -> None:
    """A prefill half (kernel.phase, prefill.cuh's kPhase) at the kernel's rank: "shrink" stores scale * x @ A[l].T
    (slices[0]) into v (float32, p.y, from the slice's v_col) on the active segments' rows; "expand" adds
    scale * v @ B[l].T (slices[1], v at p.x from its v_col) into y."""
    batch = _batch(p)
    scales = _table(p.scales, p.num_loras, torch.float32)
    s = p.slices[0] if kernel.phase == "shrink" else p.slices[1]
    used, _ = _ranks(p, batch, kernel.rank, s.rank, "A's" if kernel.phase == "shrink" else "B's", kernel.name)
    if not used:
        return
    if kernel.phase == "shrink":
        x = view(p.x, dtype, (p.num_rows, s.hidden), (p.ld_x, 1))
        v = view(p.y + 4 * s.v_col, torch.float32, (p.num_rows, used), (p.ld_y, 1))
        got = reference.sgmv(x, _weights(s, p.num_loras, used, s.hidden, dtype), batch, p.scale, scales, rank_axis=1)
        for rows, _ in reference._active_segments(batch, p.num_rows, p.num_loras):
            v[rows] = got[rows]
        return
    v = view(p.x + 4 * s.v_col, torch.float32, (p.num_rows, used), (p.ld_x, 1))
    y = _y_columns(p, s, dtype)
    _add_into(y, reference.sgmv(v, _weights(s, p.num_loras, s.hidden, used, dtype), batch, p.scale, scales,
                                rank_axis=2))


def launch(kernel, geometry, params, tensor, overlap_previous: bool = False) -> None:
    """loader.launch's stand-in: the op `kernel` runs, on the memory `params` points at."""
    dtype = DTYPES[kernel.dtype]
    if kernel.op == "prefill" and kernel.phase:
        _prefill_half(kernel, params, dtype)
    elif kernel.op in ("fused", "prefill", "gemv"):
        _one_launch(kernel, geometry, params, dtype)
    elif kernel.op == "shrink":
        _shrink(kernel, params, dtype)
    elif kernel.op == "expand":
        _expand(kernel, params, dtype)
    else:
        raise ValueError(f"no emulation of {kernel.op} kernels ({kernel.name})")


# ---- the GPU tests on the CPU (SGMV_EMULATE=1: tests/conftest.py) -------------------------------------------------

class _Stream:
    """torch.cuda.Stream's stand-in: a handle of its own, nothing to wait for."""
    _handles = iter(range(2, 1 << 30))

    def __init__(self, *args, **kwargs):
        self.cuda_stream = next(_Stream._handles)

    def wait_stream(self, other) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def record_event(self, event=None):
        return event or _Event()


class _Event:
    def __init__(self, *args, **kwargs):
        pass

    def record(self, stream=None) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def query(self) -> bool:
        return True

    def wait(self, stream=None) -> None:
        pass


def _no_graphs(*args, **kwargs):
    """torch.cuda.CUDAGraph's stand-in: the test skips. A graph's replay would run its launches again on memory the
    capture allocated (the pair's v, a batch's tables), which a CUDA graph's pool keeps and the CPU has freed."""
    import pytest
    pytest.skip("CUDA graphs are not emulated (SGMV_EMULATE): their capture's memory is gone on the CPU")


@contextlib.contextmanager
def emulated() -> Iterator[None]:
    """Inside: stub_device.stubbed with this module's launch, the public ops' CUDA kernels serving CPU tensors, and
    torch.cuda's streams, events and synchronization as stand-ins (a test that makes a CUDA graph skips), so that the
    GPU tests' own code runs on CPU tensors."""
    with stub_device.stubbed(launch) as stub, stub_device.cuda_kernels_on_cpu():
        current = stub.stream
        current.wait_stream = current.synchronize = lambda *args: None

        @contextlib.contextmanager
        def on_stream(stream):  # torch.cuda.stream(s): s is the current stream inside
            previous, current.cuda_stream = current.cuda_stream, getattr(stream, "cuda_stream", 1)
            try:
                yield
            finally:
                current.cuda_stream = previous
        patches = {"synchronize": lambda *args, **kwargs: None, "Stream": _Stream, "Event": _Event,
                   "CUDAGraph": _no_graphs, "stream": on_stream, "set_sync_debug_mode": lambda mode: None,
                   "current_device": lambda: 0}
        saved = {name: getattr(torch.cuda, name) for name in patches}
        for name, value in patches.items():
            setattr(torch.cuda, name, value)
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(torch.cuda, name, value)
