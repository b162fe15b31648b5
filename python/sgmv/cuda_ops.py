"""The CUDA implementations: fill one SgmvParams, pick the kernel, launch. No host synchronization.

`kernel` overrides the selection (tests use it to run every compiled kernel)."""
from __future__ import annotations

from typing import Optional

import torch

from . import loader
from ._abi import SgmvParams
from .dispatch import Problem, can_run, plan, select
from .errors import UnsupportedError
from .manifest import KernelRecord, load as load_manifest


def _launch(problem: Problem, params: SgmvParams, ref: torch.Tensor, kernel: Optional[KernelRecord]) -> KernelRecord:
    if kernel is None:
        kernel = select(problem, load_manifest().kernels)
    elif not can_run(problem, kernel):
        raise UnsupportedError(f"kernel {kernel.name} cannot run {problem}")
    dev = loader.device(ref.device.index)
    geometry = plan(problem, kernel, dev.num_sms)
    params.k_splits = geometry.k_splits
    loader.launch(kernel, geometry, params, ref)
    return kernel


def _common(params: SgmvParams, seg_indptr: torch.Tensor, lora_indices: torch.Tensor,
            scales: Optional[torch.Tensor], scale: float) -> None:
    params.seg_indptr = seg_indptr.data_ptr()
    params.lora_indices = lora_indices.data_ptr()
    params.scales = scales.data_ptr() if scales is not None else None
    params.scale = scale
    params.num_segments = lora_indices.shape[0]
    params.indptr_is_64 = int(seg_indptr.dtype == torch.int64)
    params.lora_is_64 = int(lora_indices.dtype == torch.int64)


def shrink_into(v: torch.Tensor, x: torch.Tensor, lora_a: torch.Tensor, seg_indptr: torch.Tensor,
                lora_indices: torch.Tensor, scales: Optional[torch.Tensor], scale: float,
                kernel: Optional[KernelRecord] = None) -> None:
    """v [T, r] float32, zeroed by the caller, += scale * x @ A[l].T per segment."""
    num_segments = lora_indices.shape[0]
    if x.shape[0] == 0 or num_segments == 0 or lora_a.shape[0] == 0:
        return
    params = SgmvParams(x=x.data_ptr(), y=v.data_ptr(), w=lora_a.data_ptr(), ld_x=x.stride(0), ld_y=v.stride(0),
                        w_stride_lora=lora_a.stride(0), w_stride_row=lora_a.stride(1), num_rows=x.shape[0],
                        num_loras=lora_a.shape[0], rank=lora_a.shape[1], hidden=lora_a.shape[2])
    _common(params, seg_indptr, lora_indices, scales, scale)
    with torch.cuda.device(x.device):
        _launch(Problem.for_shrink(x, lora_a, num_segments), params, x, kernel)


def expand(y: torch.Tensor, v: torch.Tensor, lora_b: torch.Tensor, seg_indptr: torch.Tensor,
           lora_indices: torch.Tensor, scales: Optional[torch.Tensor], scale: float,
           kernel: Optional[KernelRecord] = None) -> None:
    """y [T, h_out] += scale * v @ B[l].T per segment, in place."""
    num_segments = lora_indices.shape[0]
    if y.shape[0] == 0 or y.shape[1] == 0 or num_segments == 0 or lora_b.shape[0] == 0:
        return
    params = SgmvParams(x=v.data_ptr(), y=y.data_ptr(), w=lora_b.data_ptr(), ld_x=v.stride(0), ld_y=y.stride(0),
                        w_stride_lora=lora_b.stride(0), w_stride_row=lora_b.stride(1), num_rows=y.shape[0],
                        num_loras=lora_b.shape[0], rank=lora_b.shape[2], hidden=lora_b.shape[1])
    _common(params, seg_indptr, lora_indices, scales, scale)
    with torch.cuda.device(y.device):
        _launch(Problem.for_expand(y, v, lora_b, num_segments), params, y, kernel)
