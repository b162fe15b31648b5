"""The public ops: shrink, expand and add_lora (see DESIGN.md, "Public API").

Each op validates its arguments, then calls a `torch.library` custom op (sgmv::shrink, sgmv::expand,
sgmv::add_lora)
whose CUDA kernel launches the compiled SGMV kernels and whose CPU kernel runs the torch reference.
The custom ops have fake implementations, so they work under torch.compile and CUDA-graph capture.
"""
from __future__ import annotations

from typing import Optional

import torch

from . import checks, reference
from .batch import LoraBatch
from .checks import Scale


# ---- custom ops ----------------------------------------------------------------------------------

@torch.library.custom_op("sgmv::shrink", mutates_args=())
def _shrink_op(x: torch.Tensor, lora_a: torch.Tensor, seg_indptr: torch.Tensor, lora_indices: torch.Tensor,
               scales: Optional[torch.Tensor], scale: float) -> torch.Tensor:
    batch = LoraBatch(seg_indptr, lora_indices)
    return reference.shrink(x, lora_a, batch, scale, scales).to(torch.float32)


@_shrink_op.register_kernel("cuda")
def _(x, lora_a, seg_indptr, lora_indices, scales, scale):
    from . import cuda_ops
    v = torch.zeros(x.shape[0], lora_a.shape[1], dtype=torch.float32, device=x.device)
    cuda_ops.shrink_into(v, x, lora_a, seg_indptr, lora_indices, scales, scale)
    return v


@_shrink_op.register_fake
def _(x, lora_a, seg_indptr, lora_indices, scales, scale):
    return x.new_empty((x.shape[0], lora_a.shape[1]), dtype=torch.float32)


@torch.library.custom_op("sgmv::expand", mutates_args=("y",))
def _expand_op(y: torch.Tensor, v: torch.Tensor, lora_b: torch.Tensor, seg_indptr: torch.Tensor,
               lora_indices: torch.Tensor, scales: Optional[torch.Tensor], scale: float) -> None:
    reference.expand(y, v, lora_b, LoraBatch(seg_indptr, lora_indices), scale, scales)


@_expand_op.register_kernel("cuda")
def _(y, v, lora_b, seg_indptr, lora_indices, scales, scale):
    from . import cuda_ops
    cuda_ops.expand(y, v, lora_b, seg_indptr, lora_indices, scales, scale)


@_expand_op.register_fake
def _(y, v, lora_b, seg_indptr, lora_indices, scales, scale):
    return None


@torch.library.custom_op("sgmv::add_lora", mutates_args=("y",))
def _add_lora_op(y: torch.Tensor, x: torch.Tensor, lora_a: torch.Tensor, lora_b: torch.Tensor,
                 seg_indptr: torch.Tensor, lora_indices: torch.Tensor, scales: Optional[torch.Tensor],
                 scale: float) -> None:
    batch = LoraBatch(seg_indptr, lora_indices)
    v = reference.shrink(x, lora_a, batch)
    reference.expand(y, v, lora_b, batch, scale, scales)


@_add_lora_op.register_kernel("cuda")
def _(y, x, lora_a, lora_b, seg_indptr, lora_indices, scales, scale):
    from . import cuda_ops
    cuda_ops.add_lora(y, x, lora_a, lora_b, seg_indptr, lora_indices, scales, scale)


@_add_lora_op.register_fake
def _(y, x, lora_a, lora_b, seg_indptr, lora_indices, scales, scale):
    return None


# ---- public API ----------------------------------------------------------------------------------

def shrink(x: torch.Tensor, lora_a: torch.Tensor, batch: LoraBatch, scale: Scale = 1.0) -> torch.Tensor:
    """v = scale * x @ A[l].T for the rows of each segment: the LoRA down-projection.

    x: [T, h_in]; lora_a: [n_lora, r, h_in] (PEFT layout, stacked); scale: float or float tensor [n_lora].
    Returns v: [T, r] float32; rows without an adapter (index -1) are zero.

    >>> v = sgmv.shrink(x, lora_a, sgmv.LoraBatch.from_segments(indptr, loras, device=x.device))
    """
    x, lora_a, batch, s, scales = checks.shrink_args(x, lora_a, batch, scale)
    return _shrink_op(x, lora_a, batch.seg_indptr, batch.lora_indices, scales, s)


def expand(y: torch.Tensor, v: torch.Tensor, lora_b: torch.Tensor, batch: LoraBatch,
           scale: Scale = 1.0) -> torch.Tensor:
    """y += scale * v @ B[l].T for the rows of each segment, in place: the LoRA up-projection.

    y: [T, h_out] (last dim contiguous; rows may be strided); v: [T, r] float32 (other float dtypes are
    converted to a float32 copy first);
    lora_b: [n_lora, h_out, r]. Rows without an adapter are left untouched. Returns y.

    >>> sgmv.expand(y, v, lora_b, batch, scale=0.5)
    """
    y, v, lora_b, batch, s, scales = checks.expand_args(y, v, lora_b, batch, scale)
    _expand_op(y, v, lora_b, batch.seg_indptr, batch.lora_indices, scales, s)
    return y


def add_lora(y: torch.Tensor, x: torch.Tensor, lora_a: torch.Tensor, lora_b: torch.Tensor, batch: LoraBatch,
             scale: Scale = 1.0) -> torch.Tensor:
    """y += scale * (x @ A[l].T) @ B[l].T per segment, with a float32 intermediate; returns y.

    x: [T, h_in]; y: [T, h_out]; lora_a: [n_lora, r, h_in]; lora_b: [n_lora, h_out, r].

    >>> sgmv.add_lora(y, x, lora_a, lora_b, batch, scale=alpha / r)
    """
    y, x, lora_a, lora_b, batch, s, scales = checks.add_lora_args(y, x, lora_a, lora_b, batch, scale)
    _add_lora_op(y, x, lora_a, lora_b, batch.seg_indptr, batch.lora_indices, scales, s)
    return y
