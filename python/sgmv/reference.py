"""The torch reference: the definition of every op, used for CPU tensors and to check the kernels."""
from __future__ import annotations

from typing import Optional

import torch

from .batch import LoraBatch


def _active_segments(batch: LoraBatch, num_rows: int, num_loras: int):
    """Segments as the kernels see them: bounds clamped to [0, num_rows], inactive ones skipped."""
    for begin, end, lora in batch.segments():
        begin = min(max(begin, 0), num_rows)
        end = min(max(end, begin), num_rows)
        if 0 <= lora < num_loras and end > begin:
            yield begin, end, lora


def _segment_scale(scale: float, scales: Optional[torch.Tensor], lora: int) -> float:
    return scale * (float(scales[lora]) if scales is not None else 1.0)


def shrink(x: torch.Tensor, lora_a: torch.Tensor, batch: LoraBatch, scale: float = 1.0,
           scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """v[T, r] (compute_dtype) = scale * x @ A[l].T per segment; rows without an adapter are zero."""
    v = torch.zeros(x.shape[0], lora_a.shape[1], dtype=compute_dtype, device=x.device)
    for begin, end, lora in _active_segments(batch, x.shape[0], lora_a.shape[0]):
        sc = _segment_scale(scale, scales, lora)
        v[begin:end] = sc * (x[begin:end].to(compute_dtype) @ lora_a[lora].to(compute_dtype).T)
    return v


def expand_delta(v: torch.Tensor, lora_b: torch.Tensor, batch: LoraBatch, scale: float = 1.0,
                 scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The expand's addition to y, [T, h_out] in compute_dtype."""
    delta = torch.zeros(v.shape[0], lora_b.shape[1], dtype=compute_dtype, device=v.device)
    for begin, end, lora in _active_segments(batch, v.shape[0], lora_b.shape[0]):
        sc = _segment_scale(scale, scales, lora)
        delta[begin:end] = sc * (v[begin:end].to(compute_dtype) @ lora_b[lora].to(compute_dtype).T)
    return delta


def expand(y: torch.Tensor, v: torch.Tensor, lora_b: torch.Tensor, batch: LoraBatch, scale: float = 1.0,
           scales: Optional[torch.Tensor] = None) -> torch.Tensor:
    """y += scale * v @ B[l].T per segment, in place (accumulated in float32, rounded once)."""
    delta = expand_delta(v, lora_b, batch, scale, scales)
    y.copy_((y.float() + delta).to(y.dtype))
    return y


def add_lora_delta(x: torch.Tensor, lora_a: torch.Tensor, lora_b: torch.Tensor, batch: LoraBatch,
                   scale: float = 1.0, scales: Optional[torch.Tensor] = None,
                   compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """scale * (x @ A[l].T) @ B[l].T per segment, [T, h_out] in compute_dtype."""
    v = shrink(x, lora_a, batch, compute_dtype=compute_dtype)
    return expand_delta(v, lora_b, batch, scale, scales, compute_dtype)
