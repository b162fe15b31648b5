"""The torch reference: the definition of every op, used for CPU tensors and to check the kernels.

Weights may come as one stacked tensor or as a sequence of them, one per output slice (their outputs are
concatenated); `ranks` ([n_lora] or None) gives each adapter's true rank, at most the stacked rank."""
from __future__ import annotations

from typing import Optional, Sequence, Union

import torch

from .batch import LoraBatch

Weights = Union[torch.Tensor, Sequence[torch.Tensor]]


def as_slices(weights: Weights) -> list[torch.Tensor]:
    return [weights] if isinstance(weights, torch.Tensor) else list(weights)


def _active_segments(batch: LoraBatch, num_rows: int, num_loras: int):
    """Segments as the kernels see them: bounds clamped to [0, num_rows], inactive ones skipped;
    yields (rows of x and y, adapter)."""
    for begin, end, lora in batch.segments():
        begin = min(max(begin, 0), num_rows)
        end = min(max(end, begin), num_rows)
        if 0 <= lora < num_loras and end > begin:
            yield batch.rows(begin, end), lora


def _rows_by_adapter(batch: LoraBatch, num_rows: int, num_loras: int):
    """The rows of x and y of each adapter's active segments, gathered: {adapter: one index (a slice where it has one
    segment)}. Every row's output depends only on its adapter, so one product an adapter gives each row what one a
    segment would, with its weights converted once, not once a segment (decode batches have a segment a row)."""
    parts: dict[int, list] = {}
    for rows, lora in _active_segments(batch, num_rows, num_loras):
        parts.setdefault(lora, []).append(rows)
    return {lora: rows[0] if len(rows) == 1 else
            torch.cat([torch.arange(r.start, r.stop) if isinstance(r, slice) else r for r in rows])
            for lora, rows in parts.items()}


def _segment_scale(scale: float, scales: Optional[torch.Tensor], lora: int) -> float:
    return scale * (float(scales[lora]) if scales is not None else 1.0)


def true_rank(ranks: Optional[torch.Tensor], lora: int, rank: int) -> int:
    """The rank adapter `lora` is computed at in a slice of rank `rank` (the kernels clamp the same way)."""
    return rank if ranks is None else min(max(int(ranks[lora]), 0), rank)


def sgmv(inp: torch.Tensor, weights: torch.Tensor, batch: LoraBatch, scale: float = 1.0,
         scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32,
         ranks: Optional[torch.Tensor] = None, rank_axis: int = 1) -> torch.Tensor:
    """out[rows of s] = scale_s * inp[rows of s] @ weights[l_s].T, [T, weights.shape[1]] in compute_dtype;
    rows without an adapter are zero. Both shrink (inp = x, weights = lora_a, the rank is axis 1 of the
    stacked weights: the output) and the expand's delta (inp = v, weights = lora_b, the rank is axis 2: the
    reduction) are this product; with `ranks`, rank entries past an adapter's true rank are left out."""
    out = torch.zeros(inp.shape[0], weights.shape[1], dtype=compute_dtype, device=inp.device)
    for lora, rows in _rows_by_adapter(batch, inp.shape[0], weights.shape[0]).items():
        sc = _segment_scale(scale, scales, lora)
        k = true_rank(ranks, lora, weights.shape[rank_axis])
        w = weights[lora].to(compute_dtype)
        if rank_axis == 1:
            out[rows, :k] = sc * (inp[rows].to(compute_dtype) @ w[:k].T)
        else:
            out[rows] = sc * (inp[rows][:, :k].to(compute_dtype) @ w[:, :k].T)
    return out


def shrink(x: torch.Tensor, lora_a: Weights, batch: LoraBatch, scale: float = 1.0,
           scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32,
           ranks: Optional[torch.Tensor] = None) -> torch.Tensor:
    """v[T, sum of ranks] (compute_dtype) = scale * x @ A[l].T per segment and slice; rows without an adapter,
    and columns past an adapter's true rank, are zero."""
    return torch.cat([sgmv(x, a, batch, scale, scales, compute_dtype, ranks, rank_axis=1)
                      for a in as_slices(lora_a)], dim=1)


def expand_delta(v: torch.Tensor, lora_b: Weights, batch: LoraBatch, scale: float = 1.0,
                 scales: Optional[torch.Tensor] = None, compute_dtype: torch.dtype = torch.float32,
                 ranks: Optional[torch.Tensor] = None) -> torch.Tensor:
    """The expand's addition to y, [T, sum of h_out] in compute_dtype; slice i reads v's columns after
    those of slices 0..i-1."""
    deltas, col = [], 0
    for b in as_slices(lora_b):
        r = b.shape[2]
        deltas.append(sgmv(v[:, col:col + r], b, batch, scale, scales, compute_dtype, ranks, rank_axis=2))
        col += r
    return torch.cat(deltas, dim=1)


def expand(y: torch.Tensor, v: torch.Tensor, lora_b: Weights, batch: LoraBatch, scale: float = 1.0,
           scales: Optional[torch.Tensor] = None, ranks: Optional[torch.Tensor] = None) -> torch.Tensor:
    """y += scale * v @ B[l].T per segment, in place (accumulated in float32, rounded once)."""
    delta = expand_delta(v, lora_b, batch, scale, scales, ranks=ranks)
    y.copy_((y.float() + delta).to(y.dtype))
    return y


def add_lora_delta(x: torch.Tensor, lora_a: Weights, lora_b: Weights, batch: LoraBatch,
                   scale: float = 1.0, scales: Optional[torch.Tensor] = None,
                   compute_dtype: torch.dtype = torch.float32, ranks: Optional[torch.Tensor] = None) -> torch.Tensor:
    """scale * (x @ A[l].T) @ B[l].T per segment and slice, [T, sum of h_out] in compute_dtype."""
    v = shrink(x, lora_a, batch, compute_dtype=compute_dtype, ranks=ranks)
    return expand_delta(v, lora_b, batch, scale, scales, compute_dtype, ranks)


# The norm-wise relative error of a computed delta against a float64 reference that the bench (BENCH.md) and the tests
# accept, per dtype, on top of what rounding y to its dtype adds on its own (output_rounding)
TOLERANCE = {torch.bfloat16: 1e-2, torch.float16: 2e-3, torch.float32: 1e-5, torch.float64: 1e-10}


def relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    """|got - want| / |want| (Frobenius norms in float64, on got's device; |want| 0 counts as 1): how the bench and the
    tests compare an op's output, or its addition to y, with this module's."""
    got, want = got.double(), want.to(got.device, torch.float64)
    denom = want.norm().item()
    return (got - want).norm().item() / (denom if denom > 0 else 1.0)


def output_rounding(y_out: torch.Tensor, want_delta: torch.Tensor) -> float:
    """Half an ulp of each element of y_out that gets a delta, as a norm relative to the delta's: what rounding
    y_in + delta to y_out's dtype may add to relative_error(y_out - y_in, delta) on its own, for any kernel. It matters
    where the delta is small against y (one row of a few outputs, or a low rank: 1.9e-2 in bf16 for a kernel that makes
    no other error)."""
    y, want = y_out.double(), want_delta.to(y_out.device, torch.float64)
    finfo = torch.finfo(y_out.dtype)
    _, exponent = torch.frexp(y.abs().clamp_min(finfo.tiny))  # |y| = m * 2^exponent, 0.5 <= m < 1: exact on any device
    ulp = torch.exp2((exponent - 1).double()) * finfo.eps
    denom = want.norm().item()
    return 0.5 * ulp[want != 0].norm().item() / (denom if denom > 0 else 1.0)
