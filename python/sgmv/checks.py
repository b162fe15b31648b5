"""Input validation: every problem raises before any launch, naming the argument, value and what is accepted."""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Union

import torch

from .batch import LoraBatch

CUDA_DTYPES = (torch.float16, torch.bfloat16)
Scale = Union[float, int, torch.Tensor]
Weights = Union[torch.Tensor, Sequence[torch.Tensor]]
RANK_DTYPES = (torch.int32, torch.int64)


def tensor(value, name: str, dims: int, layout: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor {layout}, got {type(value).__name__}")
    if value.dim() != dims:
        raise ValueError(f"{name} has shape {tuple(value.shape)}; expected a {dims}-D tensor {layout}")
    if value.numel() > 0 and value.stride(-1) != 1:
        raise ValueError(f"{name} has strides {tuple(value.stride())}; "
                         "its last dimension must be contiguous (stride 1)")
    return value


def written(value: torch.Tensor, name: str) -> None:
    """An output written in place must not have rows that share memory (an expanded tensor: stride 0), which the
    kernels would write at once and torch's own in-place ops refuse."""
    rows, cols = value.shape
    if rows > 1 and cols > 0 and value.stride(0) < cols:
        raise ValueError(f"{name} has shape {tuple(value.shape)} and strides {tuple(value.stride())}: its rows overlap "
                         f"in memory (stride(0) < {cols}), and {name} is written in place; pass a tensor whose rows "
                         "are distinct (e.g. .contiguous())")


def dtype(value: torch.Tensor, name: str) -> None:
    if value.device.type == "cuda":
        if value.dtype not in CUDA_DTYPES:
            raise TypeError(f"{name} has dtype {value.dtype}; CUDA tensors must be torch.float16 or torch.bfloat16")
    elif value.device.type == "cpu":
        if not value.dtype.is_floating_point:
            raise TypeError(f"{name} has dtype {value.dtype}; expected a floating-point tensor")
    else:
        raise ValueError(f"{name} is on {value.device}; accepted: CUDA or CPU tensors")


def same(value: torch.Tensor, name: str, ref: torch.Tensor, ref_name: str, *, check_dtype: bool = True) -> None:
    if value.device != ref.device:
        raise ValueError(f"{name} is on {value.device} but {ref_name} is on {ref.device}; put them on one device")
    if check_dtype and value.dtype != ref.dtype:
        raise TypeError(f"{name} has dtype {value.dtype} but {ref_name} has {ref.dtype}; "
                        "x, y and the adapter weights share one dtype")


def dim_equal(got: int, what: str, expected: int, source: str) -> None:
    if got != expected:
        raise ValueError(f"{what}={got} but {source}={expected}")


def batch(value, ref: torch.Tensor) -> LoraBatch:
    if not isinstance(value, LoraBatch):
        raise TypeError("batch must be a sgmv.LoraBatch (LoraBatch.from_segments(...) or .from_token_loras(...)), "
                        f"got {type(value).__name__}")
    if value.device != ref.device:
        raise ValueError(f"batch is on {value.device} but x is on {ref.device}; build it with device=x.device "
                         "or call batch.to(x.device)")
    if value.num_rows is not None and value.num_rows != ref.shape[0]:
        raise ValueError(f"batch was built for {value.num_rows} rows (one adapter index per row) but the "
                         f"tensors have T={ref.shape[0]} rows")
    if value.end_row is not None and value.end_row > ref.shape[0]:
        raise ValueError(f"batch's segments end at row {value.end_row} (seg_indptr[-1]) but the tensors have "
                         f"T={ref.shape[0]} rows; seg_indptr[-1] must be at most T")
    return value


def scale(value: Scale, num_loras: int, ref: torch.Tensor) -> tuple[float, Optional[torch.Tensor]]:
    """(scalar scale, per-adapter float32 scales or None)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, torch.Tensor)):
        raise TypeError(f"scale must be a float or a float tensor [n_lora], got {type(value).__name__}")
    if not isinstance(value, torch.Tensor):
        return float(value), None
    if value.dim() == 0:
        raise TypeError("scale is a 0-D tensor; pass a Python float, or a tensor [n_lora] of per-adapter scales")
    if value.dim() != 1 or value.shape[0] != num_loras:
        raise ValueError(f"scale has shape {tuple(value.shape)}; a scale tensor must be [n_lora] = [{num_loras}]")
    if not value.dtype.is_floating_point:
        raise TypeError(f"scale has dtype {value.dtype}; a scale tensor must be floating point")
    if value.device != ref.device:
        raise ValueError(f"scale is on {value.device} but x is on {ref.device}; put them on one device")
    return 1.0, value.to(torch.float32).contiguous()


def weights(value: Weights, name: str, layout: str, ref: torch.Tensor, ref_name: str) -> list[torch.Tensor]:
    """One stacked tensor, or a non-empty tuple/list of them (one per output slice), as a list."""
    if isinstance(value, torch.Tensor):
        items, names = [value], [name]
    elif isinstance(value, (tuple, list)) and value:
        items, names = list(value), [f"{name}[{i}]" for i in range(len(value))]
    else:
        raise TypeError(f"{name} must be a tensor {layout} or a non-empty tuple of them (one per output slice), "
                        f"got {type(value).__name__}{' (empty)' if isinstance(value, (tuple, list)) else ''}")
    for item, item_name in zip(items, names):
        tensor(item, item_name, 3, layout)
        same(item, item_name, ref, ref_name)
    for item, item_name in zip(items[1:], names[1:]):
        dim_equal(item.shape[0], f"{item_name}.shape[0] (n_lora)", items[0].shape[0], f"{names[0]}.shape[0]")
    return items


def ranks(value: Optional[torch.Tensor], num_loras: int, max_rank: int, ref: torch.Tensor) -> Optional[torch.Tensor]:
    """True ranks per adapter: an int tensor [n_lora] on x's device, or None."""
    if value is None:
        return None
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"ranks must be an int32/int64 tensor [n_lora] or None, got {type(value).__name__}")
    if value.dtype not in RANK_DTYPES:
        raise TypeError(f"ranks has dtype {value.dtype}; accepted: torch.int32 or torch.int64")
    if value.dim() != 1 or value.shape[0] != num_loras:
        raise ValueError(f"ranks has shape {tuple(value.shape)}; expected [n_lora] = [{num_loras}]")
    if value.device != ref.device:
        raise ValueError(f"ranks is on {value.device} but x is on {ref.device}; put them on one device")
    if value.device.type == "cpu" and value.numel() and (int(value.min()) < 0 or int(value.max()) > max_rank):
        raise ValueError(f"ranks holds values in [{int(value.min())}, {int(value.max())}]; accepted: 0..{max_rank} "
                         "(the stacked rank); on CUDA, values outside are clamped")
    return value.contiguous()


def slices(value: Optional[Sequence[int]], lora_b: list[torch.Tensor], y: torch.Tensor) -> None:
    """Output slices side by side fill y's columns; `slices`, if given, must state their widths."""
    widths = [b.shape[1] for b in lora_b]
    if value is not None:
        if isinstance(value, (str, bytes)) or not all(isinstance(w, int) and not isinstance(w, bool) for w in value):
            raise TypeError(f"slices must be a sequence of ints (the h_out of each output slice), got {value!r}")
        if list(value) != widths:
            raise ValueError(f"slices={tuple(value)} but the lora_b slices have h_out {tuple(widths)}")
    if len(lora_b) == 1:
        dim_equal(widths[0], "lora_b.shape[1] (h_out)", y.shape[1], "y.shape[1] (h_out)")
    elif sum(widths) != y.shape[1]:
        raise ValueError(f"the output slices have h_out {tuple(widths)} (sum {sum(widths)}) but y.shape[1] "
                         f"(h_out) is {y.shape[1]}; y's columns are the slices side by side")


@dataclasses.dataclass(frozen=True)
class Args:
    """Validated arguments of one op."""

    batch: LoraBatch
    scale: float
    scales: Optional[torch.Tensor]
    ranks: Optional[torch.Tensor]
    num_loras: int
    x: Optional[torch.Tensor] = None
    y: Optional[torch.Tensor] = None
    v: Optional[torch.Tensor] = None
    lora_a: Optional[list[torch.Tensor]] = None
    lora_b: Optional[list[torch.Tensor]] = None


def _lora_a(x, lora_a) -> list[torch.Tensor]:
    items = weights(lora_a, "lora_a", "[n_lora, r, h_in]", x, "x")
    for i, a in enumerate(items):
        name = "lora_a" if len(items) == 1 else f"lora_a[{i}]"
        dim_equal(a.shape[2], f"{name}.shape[2] (h_in)", x.shape[1], "x.shape[1] (h_in)")
        if a.shape[1] < 1:
            raise ValueError(f"{name} has shape {tuple(a.shape)}; the rank {name}.shape[1] must be >= 1")
    return items


def _lora_b(y, lora_b) -> list[torch.Tensor]:
    items = weights(lora_b, "lora_b", "[n_lora, h_out, r]", y, "y")
    for i, b in enumerate(items):
        if b.shape[2] < 1:
            name = "lora_b" if len(items) == 1 else f"lora_b[{i}]"
            raise ValueError(f"{name} has shape {tuple(b.shape)}; the rank {name}.shape[2] must be >= 1")
    return items


def shrink_args(x, lora_a, batch_, scale_, ranks_=None) -> Args:
    x = tensor(x, "x", 2, "[T, h_in]")
    dtype(x, "x")
    a = _lora_a(x, lora_a)
    b = batch(batch_, x)
    n = a[0].shape[0]
    s, scales = scale(scale_, n, x)
    return Args(b, s, scales, ranks(ranks_, n, max(w.shape[1] for w in a), x), n, x=x, lora_a=a)


def expand_args(y, v, lora_b, batch_, scale_, slices_=None, ranks_=None) -> Args:
    y = tensor(y, "y", 2, "[T, h_out]")
    written(y, "y")
    v = tensor(v, "v", 2, "[T, r]")
    dtype(y, "y")
    same(v, "v", y, "y", check_dtype=False)
    if not v.dtype.is_floating_point:
        raise TypeError(f"v has dtype {v.dtype}; expected float32 (as sgmv.shrink returns it)")
    bs = _lora_b(y, lora_b)
    dim_equal(v.shape[0], "v.shape[0] (T)", y.shape[0], "y.shape[0] (T)")
    slices(slices_, bs, y)
    dim_equal(sum(b.shape[2] for b in bs), "lora_b.shape[2] (r)" if len(bs) == 1 else "the lora_b slices' r (sum)",
              v.shape[1], "v.shape[1] (r)")
    b = batch(batch_, y)
    n = bs[0].shape[0]
    s, scales = scale(scale_, n, y)
    if v.dtype != torch.float32 or (v.numel() > 0 and v.stride(-1) != 1):
        v = v.to(torch.float32).contiguous()
    return Args(b, s, scales, ranks(ranks_, n, max(w.shape[2] for w in bs), y), n, y=y, v=v, lora_b=bs)


def add_lora_args(y, x, lora_a, lora_b, batch_, scale_, slices_=None, ranks_=None) -> Args:
    a = shrink_args(x, lora_a, batch_, 1.0, ranks_)
    x = a.x
    y = tensor(y, "y", 2, "[T, h_out]")
    written(y, "y")
    same(y, "y", x, "x")
    dim_equal(y.shape[0], "y.shape[0] (T)", x.shape[0], "x.shape[0] (T)")
    bs = _lora_b(y, lora_b)
    if len(bs) != len(a.lora_a):
        raise ValueError(f"lora_a has {len(a.lora_a)} output slices but lora_b has {len(bs)}; pass one pair per slice")
    for i, (wa, wb) in enumerate(zip(a.lora_a, bs)):
        if wa.shape[0] != wb.shape[0] or wa.shape[1] != wb.shape[2]:
            sfx = "" if len(bs) == 1 else f"[{i}]"
            raise ValueError(f"lora_a{sfx} has shape {tuple(wa.shape)} and lora_b{sfx} {tuple(wb.shape)}; "
                             "they must agree on n_lora (dim 0) and r (lora_a dim 1, lora_b dim 2)")
    slices(slices_, bs, y)
    s, scales = scale(scale_, a.num_loras, x)
    return Args(a.batch, s, scales, a.ranks, a.num_loras, x=x, y=y, lora_a=a.lora_a, lora_b=bs)
