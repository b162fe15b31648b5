"""The public ops: shrink, expand and add_lora (see DESIGN.md, "Public API", and README).

Each op validates its arguments, then calls a `torch.library` op (sgmv::shrink, sgmv::expand, sgmv::add_lora)
whose CUDA kernel launches the compiled SGMV kernels and whose CPU kernel runs the torch reference. The ops have
fake implementations, so they work under torch.compile and CUDA-graph capture.
Weights travel as lists of output slices (one stacked tensor each); a single tensor is a list of one.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch

from . import checks, reference
from .batch import LoraBatch
from .checks import Scale, Weights


def _reference_batch(seg_indptr, lora_indices, row_index) -> LoraBatch:
    return LoraBatch(seg_indptr, lora_indices, row_index=row_index)


def _rows(seg_indptr, lora_indices, row_index, ranks, max_segment_rows, tables_ready=False):
    from .cuda_ops import Rows
    return Rows(seg_indptr, lora_indices, row_index, ranks, max_segment_rows, tables_ready)


def _longest(batch: LoraBatch) -> int:
    """The batch's longest segment for the custom ops (-1: not known on the host)."""
    return -1 if batch.max_segment_rows is None else batch.max_segment_rows


# ---- custom ops ----------------------------------------------------------------------------------
# Defined through torch.library's low-level API: a schema, a kernel per dispatch key (CUDA, CPU) and a fake. A call
# costs ~4 us of dispatch; torch.library.custom_op's Python layers (its autograd and ADInplaceOrView kernels) cost
# ~50 us a call on the 2-core CPU machine, more than the rest of an add_lora call's host time (NOTES.md, entry 345).
# Like custom_op's ops without an autograd formula, they record no autograd history; a kernel that writes y bumps its
# version counter (_wrote), which is what custom_op's ADInplaceOrView kernel did, so autograd still sees the write.

_LIB = torch.library.Library("sgmv", "DEF")
_BATCH_ARGS = "Tensor seg_indptr, Tensor lora_indices, Tensor? row_index, Tensor? ranks, Tensor? scales, float scale"
_LIB.define(f"shrink(Tensor x, Tensor[] lora_a, {_BATCH_ARGS}, int max_segment_rows) -> Tensor")
_LIB.define(f"expand(Tensor(a!) y, Tensor v, Tensor[] lora_b, {_BATCH_ARGS}, int max_segment_rows) -> ()")
_LIB.define(f"add_lora(Tensor(a!) y, Tensor x, Tensor[] lora_a, Tensor[] lora_b, {_BATCH_ARGS}, "
            "int max_segment_rows, bool tables_ready) -> ()")
_shrink_op = torch.ops.sgmv.shrink.default
_expand_op = torch.ops.sgmv.expand.default
_add_lora_op = torch.ops.sgmv.add_lora.default


def _kernel(name: str, key: str):
    """Registers the decorated function as op `name`'s kernel for dispatch key `key`."""
    def register(fn):
        _LIB.impl(name, fn, key)
        return fn
    return register


def _wrote(y: torch.Tensor) -> None:
    torch.autograd.graph.increment_version(y)


@_kernel("shrink", "CPU")
def _shrink_cpu(x, lora_a, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows):
    batch = _reference_batch(seg_indptr, lora_indices, row_index)
    return reference.shrink(x, lora_a, batch, scale, scales, ranks=ranks).to(torch.float32)


@_kernel("shrink", "CUDA")
def _shrink_cuda(x, lora_a, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows):
    from . import cuda_ops
    v = torch.zeros(x.shape[0], sum(a.shape[1] for a in lora_a), dtype=torch.float32, device=x.device)
    rows = _rows(seg_indptr, lora_indices, row_index, ranks, max_segment_rows)
    cuda_ops.shrink_into(v, x, lora_a, rows, scales, scale)
    return v


@torch.library.register_fake("sgmv::shrink", lib=_LIB)
def _(x, lora_a, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows):
    return x.new_empty((x.shape[0], sum(a.shape[1] for a in lora_a)), dtype=torch.float32)


@_kernel("expand", "CPU")
def _expand_cpu(y, v, lora_b, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows):
    reference.expand(y, v, lora_b, _reference_batch(seg_indptr, lora_indices, row_index), scale, scales, ranks)
    _wrote(y)


@_kernel("expand", "CUDA")
def _expand_cuda(y, v, lora_b, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows):
    from . import cuda_ops
    cuda_ops.expand(y, v, lora_b, _rows(seg_indptr, lora_indices, row_index, ranks, max_segment_rows), scales, scale)
    _wrote(y)


@torch.library.register_fake("sgmv::expand", lib=_LIB)
def _(y, v, lora_b, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows):
    return None


@_kernel("add_lora", "CPU")
def _add_lora_cpu(y, x, lora_a, lora_b, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows,
                  tables_ready):
    batch = _reference_batch(seg_indptr, lora_indices, row_index)
    v = reference.shrink(x, lora_a, batch, ranks=ranks)
    reference.expand(y, v, lora_b, batch, scale, scales, ranks)
    _wrote(y)


@_kernel("add_lora", "CUDA")
def _add_lora_cuda(y, x, lora_a, lora_b, seg_indptr, lora_indices, row_index, ranks, scales, scale,
                   max_segment_rows, tables_ready):
    from . import cuda_ops
    rows = _rows(seg_indptr, lora_indices, row_index, ranks, max_segment_rows, tables_ready)
    cuda_ops.add_lora(y, x, lora_a, lora_b, rows, scales, scale)
    _wrote(y)


@torch.library.register_fake("sgmv::add_lora", lib=_LIB)
def _(y, x, lora_a, lora_b, seg_indptr, lora_indices, row_index, ranks, scales, scale, max_segment_rows,
      tables_ready):
    return None


# ---- public API ----------------------------------------------------------------------------------

def shrink(x: torch.Tensor, lora_a: Weights, batch: LoraBatch, scale: Scale = 1.0, *,
           ranks: Optional[torch.Tensor] = None) -> torch.Tensor:
    """v = scale * x @ A[l].T for the rows of each segment: the LoRA down-projection.

    x: [T, h_in]; lora_a: [n_lora, r, h_in] (PEFT layout, stacked), or a tuple of them, one per output
    slice (one launch for all of them); scale: float or float tensor [n_lora]; ranks: int tensor [n_lora]
    of true ranks (<= r), or None.
    Returns v: [T, sum of the slices' r] float32, the slices side by side; rows without an adapter (index
    -1), and columns past an adapter's true rank, are zero.

    >>> v = sgmv.shrink(x, lora_a, sgmv.LoraBatch.from_segments(indptr, loras, device=x.device))
    """
    a = checks.shrink_args(x, lora_a, batch, scale, ranks)
    indptr, loras = a.batch.kernel_segments(a.num_loras)
    return _shrink_op(a.x, a.lora_a, indptr, loras, a.batch.row_index, a.ranks, a.scales, a.scale,
                      _longest(a.batch))


def expand(y: torch.Tensor, v: torch.Tensor, lora_b: Weights, batch: LoraBatch, scale: Scale = 1.0, *,
           slices: Optional[Sequence[int]] = None, ranks: Optional[torch.Tensor] = None) -> torch.Tensor:
    """y += scale * v @ B[l].T for the rows of each segment, in place: the LoRA up-projection.

    y: [T, h_out] (last dim contiguous; rows may be strided); v: [T, r] float32 (other float dtypes are
    converted to a float32 copy first); lora_b: [n_lora, h_out, r], or a tuple of them, one per output
    slice: slice i reads the next r_i columns of v and adds into the next h_out_i columns of y (`slices`,
    if given, states those widths and is checked). Rows without an adapter are left untouched. Returns y.

    >>> sgmv.expand(y, v, lora_b, batch, scale=0.5)
    """
    a = checks.expand_args(y, v, lora_b, batch, scale, slices, ranks)
    indptr, loras = a.batch.kernel_segments(a.num_loras)
    _expand_op(a.y, a.v, a.lora_b, indptr, loras, a.batch.row_index, a.ranks, a.scales, a.scale, _longest(a.batch))
    return y


def add_lora(y: torch.Tensor, x: torch.Tensor, lora_a: Weights, lora_b: Weights, batch: LoraBatch,
             scale: Scale = 1.0, *, slices: Optional[Sequence[int]] = None,
             ranks: Optional[torch.Tensor] = None) -> torch.Tensor:
    """y += scale * (x @ A[l].T) @ B[l].T per segment, with a float32 intermediate; returns y.

    x: [T, h_in]; y: [T, h_out]; lora_a: [n_lora, r, h_in]; lora_b: [n_lora, h_out, r]. For a packed
    projection (q, k, v; gate, up) pass tuples, one (lora_a, lora_b) pair per output slice, with y's
    columns the slices side by side, e.g. slices=(4096, 1024, 1024): one launch pair for all slices, one launch a
    slice where that is faster (tall batches, rank 128's two slices), or one packed launch for all of them (decode
    batches of up to 4 slices of one rank, 16-64: slice_calls).
    ranks: int tensor [n_lora] of true ranks when adapters of different ranks are stacked padded to the
    largest: the kernels compute at the true ranks (the expand in 32-wide chunks of the rank).

    >>> sgmv.add_lora(y, x, lora_a, lora_b, batch, scale=alpha / r)
    >>> sgmv.add_lora(qkv, x, (a_q, a_k, a_v), (b_q, b_k, b_v), batch, slices=(4096, 1024, 1024))
    """
    a = checks.add_lora_args(y, x, lora_a, lora_b, batch, scale, slices, ranks)
    indptr, loras = a.batch.kernel_segments(a.num_loras)
    _add_lora_op(a.y, a.x, a.lora_a, a.lora_b, indptr, loras, a.batch.row_index, a.ranks, a.scales, a.scale,
                 _longest(a.batch), a.batch.tables_from_host)
    return y
