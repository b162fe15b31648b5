"""LoraBatch: which rows of a batch use which adapter, built once per batch and shared by every layer."""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Union

import torch

INDEX_DTYPES = (torch.int32, torch.int64)
IndexLike = Union[torch.Tensor, Sequence[int]]


def _index_tensor(value: IndexLike, name: str, device) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        try:
            value = torch.tensor(list(value), dtype=torch.int32)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must be a 1-D int32/int64 tensor or a sequence of ints, "
                            f"got {type(value).__name__}")
    if value.dtype not in INDEX_DTYPES:
        raise TypeError(f"{name} has dtype {value.dtype}; accepted: torch.int32 or torch.int64")
    if value.dim() != 1:
        raise ValueError(f"{name} has shape {tuple(value.shape)}; expected a 1-D tensor")
    if device is not None:
        value = value.to(device, non_blocking=True)
    return value.contiguous()


@dataclasses.dataclass(frozen=True)
class LoraBatch:
    """Segments of rows, each served by one adapter.

    seg_indptr:   [S + 1] int32/int64; segment s is segment rows seg_indptr[s]:seg_indptr[s + 1]
    lora_indices: [S] int32/int64; the adapter of segment s, or -1 for "no LoRA" (rows left untouched)
    row_index:    None (segment row i is row i of x and y), or [T] int32: segment row i is row row_index[i]
                  (LoraBatch.from_token_loras; the kernels read and write rows through it)
    num_rows:     T when the batch fixes it (from_token_loras), else None
    distinct_adapters: every adapter has at most one segment, in ascending order, no-LoRA rows last
                  (from_token_loras), so an op on n_lora adapters needs only the first n_lora segments
    max_segment_rows: the longest segment's rows when the host knows it (from_segments with host data), else
                  None; the kernels then spread every segment's row tiles over their own blocks, whatever
                  the lengths (skewed adapter popularity), instead of sizing the grid from the mean
    end_row:      seg_indptr[-1] when the host knows it (from_segments with host data), else None: an op checks that
                  the segments end within its T rows
    tables_from_host: the tables were copied from host data (from_segments with sequences or CPU tensors), so
                  no kernel writes them: add_lora's first kernel reads them before waiting for the kernel
                  before it (launches of up to launch_plan.EARLY_TABLES_MAX_BLOCKS blocks). Overwriting them on
                  the device afterwards (instead of building a new batch) needs batch.for_device_writes()

    Rows outside every segment, and segments whose index is not in [0, n_lora), get no LoRA.
    """

    seg_indptr: torch.Tensor
    lora_indices: torch.Tensor
    row_index: Optional[torch.Tensor] = None
    num_rows: Optional[int] = None
    distinct_adapters: bool = False
    max_segment_rows: Optional[int] = None
    tables_from_host: bool = False
    end_row: Optional[int] = None

    @property
    def num_segments(self) -> int:
        return self.lora_indices.shape[0]

    @property
    def device(self) -> torch.device:
        return self.seg_indptr.device

    @classmethod
    def from_segments(cls, seg_indptr: IndexLike, lora_indices: IndexLike, device=None) -> "LoraBatch":
        """Segments given by their row boundaries and adapter indices.

        >>> batch = LoraBatch.from_segments([0, 3, 4, 9], [2, -1, 0])  # rows 0-2: adapter 2, ...

        CPU tensors (or sequences) are checked here; CUDA tensors are used as they are, without reading
        them on the host (no synchronization), and out-of-range values are clamped in the kernels.
        """
        on_host = not isinstance(seg_indptr, torch.Tensor) or seg_indptr.device.type == "cpu"
        loras_on_host = not isinstance(lora_indices, torch.Tensor) or lora_indices.device.type == "cpu"
        host_indptr = _index_tensor(seg_indptr, "seg_indptr", None) if on_host else None
        indptr = _index_tensor(seg_indptr, "seg_indptr", device)
        loras = _index_tensor(lora_indices, "lora_indices", device)
        if indptr.device != loras.device:
            raise ValueError(f"seg_indptr is on {indptr.device} but lora_indices is on {loras.device}; "
                             "put both on the device of x")
        if indptr.shape[0] != loras.shape[0] + 1:
            raise ValueError(f"seg_indptr has {indptr.shape[0]} entries but lora_indices has {loras.shape[0]}; "
                             "seg_indptr needs one more entry than there are segments")
        if indptr.device.type == "cpu" and indptr.numel() > 0:
            if int(indptr[0]) < 0:
                raise ValueError(f"seg_indptr[0]={int(indptr[0])} is negative; row indices start at 0")
            steps = indptr[1:] - indptr[:-1]
            if bool((steps < 0).any()):
                s = int(torch.nonzero(steps < 0)[0])
                raise ValueError(f"seg_indptr decreases at segment {s} ({int(indptr[s])} -> {int(indptr[s + 1])}); "
                                 "it must be non-decreasing")
        longest = end = None
        if host_indptr is not None:
            longest = int((host_indptr[1:] - host_indptr[:-1]).max()) if host_indptr.numel() > 1 else 0
            end = int(host_indptr[-1])  # seg_indptr has at least one entry (checked above)
        return cls(indptr, loras, max_segment_rows=longest, tables_from_host=on_host and loras_on_host, end_row=end)

    @classmethod
    def from_token_loras(cls, token_lora_indices: IndexLike, device=None) -> "LoraBatch":
        """One adapter index per row, rows in any order; -1 (or any index outside [0, n_lora)) = no LoRA.

        >>> batch = LoraBatch.from_token_loras([3, -1, 0, 3, 0])  # rows 2 and 4 use adapter 0, ...

        Built with torch ops on the tensor's device and never read on the host, so it is safe inside CUDA
        graph capture (capture it with the model, and refresh the index tensor in place between replays).
        The rows are grouped by adapter through an order (row_index), not by moving x or y: the kernels
        read and write each row where it is.
        """
        idx = _index_tensor(token_lora_indices, "token_lora_indices", device)
        T = idx.shape[0]
        # Sort key: the adapter index, with every negative index (no LoRA) after all real ones. Indices at or
        # past n_lora sort after the valid ones too, which is what lets an op keep only n_lora segments.
        key = torch.where(idx < 0, torch.iinfo(torch.int64).max, idx.to(torch.int64))
        order = torch.sort(key, stable=True).indices
        sorted_key = key[order]
        starts = torch.ones(T, dtype=torch.bool, device=idx.device)
        starts[1:] = sorted_key[1:] != sorted_key[:-1]
        # Segment k is the k-th run of equal keys; runs beyond the last one are empty segments [T, T) with no
        # adapter. Non-starting rows scatter into a spare last slot that is then overwritten.
        slot = torch.where(starts, torch.cumsum(starts, 0) - 1, T)
        indptr = torch.full((T + 1,), T, dtype=torch.int32, device=idx.device)
        indptr.scatter_(0, slot, torch.arange(T, dtype=torch.int32, device=idx.device))
        indptr[T:].fill_(T)
        loras = torch.full((T + 1,), -1, dtype=idx.dtype, device=idx.device)
        loras.scatter_(0, slot, idx[order])
        return cls(indptr, loras[:T], row_index=order.to(torch.int32), num_rows=T, distinct_adapters=True)

    def kernel_segments(self, num_loras: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(seg_indptr, lora_indices) an op on `num_loras` adapters launches over: all segments, or, when
        every adapter has at most one segment and they come in ascending order, the first num_loras
        (views, no device work)."""
        if self.distinct_adapters and self.num_segments > num_loras:
            return self.seg_indptr[:num_loras + 1], self.lora_indices[:num_loras]
        return self.seg_indptr, self.lora_indices

    def for_device_writes(self) -> "LoraBatch":
        """The same tensors with nothing the host read from them (tables_from_host, max_segment_rows, end_row): for
        a batch whose index tensors are overwritten on the device afterwards, e.g. static buffers refilled before each
        CUDA-graph replay. The kernels then wait for the kernel before them to read the tables and size their grids
        for any segment lengths of the same T rows.

        >>> batch = LoraBatch.from_segments(indptr_buffer, lora_buffer).for_device_writes()
        """
        return dataclasses.replace(self, tables_from_host=False, max_segment_rows=None, end_row=None)

    def to(self, device) -> "LoraBatch":
        move = lambda t: None if t is None else t.to(device, non_blocking=True)  # noqa: E731
        return dataclasses.replace(self, seg_indptr=move(self.seg_indptr), lora_indices=move(self.lora_indices),
                                   row_index=move(self.row_index))

    def segments(self) -> list[tuple[int, int, int]]:
        """(begin, end, adapter) per segment, in segment rows, read on the host (synchronizes; for references
        and tests)."""
        indptr = self.seg_indptr.tolist()
        return [(indptr[s], indptr[s + 1], l) for s, l in enumerate(self.lora_indices.tolist())]

    def rows(self, begin: int, end: int) -> Union[slice, torch.Tensor]:
        """The rows of x and y that segment rows begin:end stand for (an index for tensors on the host)."""
        if self.row_index is None:
            return slice(begin, end)
        return self.row_index[begin:end].to("cpu", torch.int64)
