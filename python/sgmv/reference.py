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


def sgmv(inp: torch.Tensor, weights: torch.Tensor, batch: LoraBatch, scale: float = 1.0,
         scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """out[rows of s] = scale_s * inp[rows of s] @ weights[l_s].T, [T, weights.shape[1]] in compute_dtype;
    rows without an adapter are zero. Both shrink (inp = x, weights = lora_a) and the expand's delta
    (inp = v, weights = lora_b) are this product."""
    out = torch.zeros(inp.shape[0], weights.shape[1], dtype=compute_dtype, device=inp.device)
    for begin, end, lora in _active_segments(batch, inp.shape[0], weights.shape[0]):
        sc = _segment_scale(scale, scales, lora)
        out[begin:end] = sc * (inp[begin:end].to(compute_dtype) @ weights[lora].to(compute_dtype).T)
    return out


def shrink(x: torch.Tensor, lora_a: torch.Tensor, batch: LoraBatch, scale: float = 1.0,
           scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """v[T, r] (compute_dtype) = scale * x @ A[l].T per segment; rows without an adapter are zero."""
    return sgmv(x, lora_a, batch, scale, scales, compute_dtype)


def expand_delta(v: torch.Tensor, lora_b: torch.Tensor, batch: LoraBatch, scale: float = 1.0,
                 scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The expand's addition to y, [T, h_out] in compute_dtype."""
    return sgmv(v, lora_b, batch, scale, scales, compute_dtype)


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
