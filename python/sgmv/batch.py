"""LoraBatch: which rows of a batch use which adapter, built once per batch and shared by every layer."""
from __future__ import annotations

import dataclasses
from typing import Sequence, Union

import torch

INDEX_DTYPES = (torch.int32, torch.int64)
IndexLike = Union[torch.Tensor, Sequence[int]]


def _index_tensor(value: IndexLike, name: str, device) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        try:
            value = torch.tensor(list(value), dtype=torch.int32)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must be a 1-D int32/int64 tensor or a sequence of ints, got {type(value).__name__}")
    if value.dtype not in INDEX_DTYPES:
        raise TypeError(f"{name} has dtype {value.dtype}; accepted: torch.int32 or torch.int64")
    if value.dim() != 1:
        raise ValueError(f"{name} has shape {tuple(value.shape)}; expected a 1-D tensor")
    if device is not None:
        value = value.to(device, non_blocking=True)
    return value.contiguous()


@dataclasses.dataclass(frozen=True)
class LoraBatch:
    """Segments of consecutive rows, each served by one adapter.

    seg_indptr:   [S + 1] int32/int64; segment s is rows seg_indptr[s]:seg_indptr[s + 1]
    lora_indices: [S] int32/int64; the adapter of segment s, or -1 for "no LoRA" (rows left untouched)

    Rows outside every segment, and segments whose index is not in [0, n_lora), get no LoRA.
    """

    seg_indptr: torch.Tensor
    lora_indices: torch.Tensor

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
        return cls(indptr, loras)

    def to(self, device) -> "LoraBatch":
        return LoraBatch(self.seg_indptr.to(device, non_blocking=True), self.lora_indices.to(device, non_blocking=True))

    def segments(self) -> list[tuple[int, int, int]]:
        """(begin, end, adapter) per segment, read on the host (synchronizes; for references and tests)."""
        indptr = self.seg_indptr.tolist()
        return [(indptr[s], indptr[s + 1], l) for s, l in enumerate(self.lora_indices.tolist())]
