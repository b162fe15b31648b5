"""The CUDA implementations: fill one SgmvParams, pick the kernel, launch. No host synchronization.

`kernel` overrides the selection (tests use it to run every compiled kernel)."""
from __future__ import annotations

from typing import Optional

import torch

from . import loader
from ._abi import SgmvParams
from .dispatch import Launch, Problem, can_run, plan, select
from .errors import UnsupportedError
from .manifest import KernelRecord, load as load_manifest


def _prepare(problem: Problem, ref: torch.Tensor, kernel: Optional[KernelRecord],
             partial: bool = False) -> tuple[KernelRecord, Launch]:
    if kernel is None:
        kernel = select(problem, load_manifest().kernels)
    elif not can_run(problem, kernel):
        raise UnsupportedError(f"kernel {kernel.name} cannot run {problem}")
    dev = loader.device(ref.device.index)
    return kernel, plan(problem, kernel, dev.num_sms, partial=partial, clusters=dev.arch >= 90)


def _params(seg_indptr: torch.Tensor, lora_indices: torch.Tensor, scales: Optional[torch.Tensor], scale: float,
            **fields) -> SgmvParams:
    fields.setdefault("k_splits", 1)
    return SgmvParams(seg_indptr=seg_indptr.data_ptr(), lora_indices=lora_indices.data_ptr(),
                      scales=scales.data_ptr() if scales is not None else None, scale=scale,
                      num_segments=lora_indices.shape[0], indptr_is_64=int(seg_indptr.dtype == torch.int64),
                      lora_is_64=int(lora_indices.dtype == torch.int64), **fields)


def _shrink_params(v: torch.Tensor, x: torch.Tensor, lora_a: torch.Tensor, batch: tuple, **extra) -> SgmvParams:
    return _params(*batch, x=x.data_ptr(), y=v.data_ptr(), w=lora_a.data_ptr(), ld_x=x.stride(0), ld_y=v.stride(-2),
                   w_stride_lora=lora_a.stride(0), w_stride_row=lora_a.stride(1), num_rows=x.shape[0],
                   num_loras=lora_a.shape[0], rank=lora_a.shape[1], hidden=lora_a.shape[2], **extra)


def _expand_params(y: torch.Tensor, v: torch.Tensor, lora_b: torch.Tensor, batch: tuple, **extra) -> SgmvParams:
    return _params(*batch, x=v.data_ptr(), y=y.data_ptr(), w=lora_b.data_ptr(), ld_x=v.stride(-2), ld_y=y.stride(0),
                   w_stride_lora=lora_b.stride(0), w_stride_row=lora_b.stride(1), num_rows=y.shape[0],
                   num_loras=lora_b.shape[0], rank=lora_b.shape[2], hidden=lora_b.shape[1], **extra)


def _nothing_to_do(rows: int, cols: int, num_segments: int, num_loras: int) -> bool:
    return rows == 0 or cols == 0 or num_segments == 0 or num_loras == 0


def shrink_into(v: torch.Tensor, x: torch.Tensor, lora_a: torch.Tensor, seg_indptr: torch.Tensor,
                lora_indices: torch.Tensor, scales: Optional[torch.Tensor], scale: float,
                kernel: Optional[KernelRecord] = None) -> None:
    """v [T, r] float32, zeroed by the caller, += scale * x @ A[l].T per segment."""
    if _nothing_to_do(x.shape[0], lora_a.shape[1], lora_indices.shape[0], lora_a.shape[0]):
        return
    with torch.cuda.device(x.device):
        kernel, geometry = _prepare(Problem.for_shrink(x, lora_a, lora_indices.shape[0]), x, kernel)
        params = _shrink_params(v, x, lora_a, (seg_indptr, lora_indices, scales, scale))
        params.k_splits = geometry.k_splits
        loader.launch(kernel, geometry, params, x)


def expand(y: torch.Tensor, v: torch.Tensor, lora_b: torch.Tensor, seg_indptr: torch.Tensor,
           lora_indices: torch.Tensor, scales: Optional[torch.Tensor], scale: float,
           kernel: Optional[KernelRecord] = None) -> None:
    """y [T, h_out] += scale * v @ B[l].T per segment, in place."""
    if _nothing_to_do(y.shape[0], y.shape[1], lora_indices.shape[0], lora_b.shape[0]):
        return
    with torch.cuda.device(y.device):
        kernel, geometry = _prepare(Problem.for_expand(y, v, lora_b, lora_indices.shape[0]), y, kernel)
        loader.launch(kernel, geometry, _expand_params(y, v, lora_b, (seg_indptr, lora_indices, scales, scale)), y)


def add_lora(y: torch.Tensor, x: torch.Tensor, lora_a: torch.Tensor, lora_b: torch.Tensor, seg_indptr: torch.Tensor,
             lora_indices: torch.Tensor, scales: Optional[torch.Tensor], scale: float,
             kernels: tuple[Optional[KernelRecord], Optional[KernelRecord]] = (None, None)) -> None:
    """y += scale * (x @ A[l].T) @ B[l].T: a split-K shrink storing partial slices of v, then an expand that
    sums them as it loads v, launched to overlap the shrink's tail (programmatic dependent launch).
    `kernels` overrides the (shrink, expand) selection (tests and tile sweeps)."""
    num_segments, rows, rank = lora_indices.shape[0], x.shape[0], lora_a.shape[1]
    if _nothing_to_do(rows, y.shape[1], num_segments, lora_a.shape[0]):
        return
    batch = (seg_indptr, lora_indices)
    with torch.cuda.device(x.device):
        shrink_kernel, shrink_geometry = _prepare(Problem.for_shrink(x, lora_a, num_segments), x, kernels[0],
                                                  partial=True)
        slices = shrink_geometry.slices
        v = torch.empty(slices, rows, rank, dtype=torch.float32, device=x.device)
        expand_kernel, expand_geometry = _prepare(Problem.for_expand(y, v[0], lora_b, num_segments), y, kernels[1])
        shrink_params = _shrink_params(v, x, lora_a, (*batch, None, 1.0), k_splits=shrink_geometry.k_splits,
                                       cluster_splits=shrink_geometry.cluster, partials=1, split_stride=rows * rank)
        loader.launch(shrink_kernel, shrink_geometry, shrink_params, x)
        expand_params = _expand_params(y, v, lora_b, (*batch, scales, scale), k_splits=slices, partials=1,
                                       split_stride=rows * rank)
        loader.launch(expand_kernel, expand_geometry, expand_params, y, overlap_previous=True)
