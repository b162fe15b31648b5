"""Input validation: every problem raises before any launch, naming the argument, value and what is accepted."""
from __future__ import annotations

from typing import Optional, Union

import torch

from .batch import LoraBatch

CUDA_DTYPES = (torch.float16, torch.bfloat16)
Scale = Union[float, int, torch.Tensor]


def tensor(value, name: str, dims: int, layout: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor {layout}, got {type(value).__name__}")
    if value.dim() != dims:
        raise ValueError(f"{name} has shape {tuple(value.shape)}; expected a {dims}-D tensor {layout}")
    if value.numel() > 0 and value.stride(-1) != 1:
        raise ValueError(f"{name} has strides {tuple(value.stride())}; its last dimension must be contiguous (stride 1)")
    return value


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
        raise TypeError(f"batch must be a sgmv.LoraBatch (LoraBatch.from_segments(...)), got {type(value).__name__}")
    if value.device != ref.device:
        raise ValueError(f"batch is on {value.device} but x is on {ref.device}; build it with device=x.device "
                         "or call batch.to(x.device)")
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


def shrink_args(x, lora_a, batch_, scale_) -> tuple[torch.Tensor, torch.Tensor, LoraBatch, float, Optional[torch.Tensor]]:
    x = tensor(x, "x", 2, "[T, h_in]")
    lora_a = tensor(lora_a, "lora_a", 3, "[n_lora, r, h_in]")
    dtype(x, "x")
    same(lora_a, "lora_a", x, "x")
    dim_equal(lora_a.shape[2], "lora_a.shape[2] (h_in)", x.shape[1], "x.shape[1] (h_in)")
    if lora_a.shape[1] < 1:
        raise ValueError(f"lora_a has shape {tuple(lora_a.shape)}; the rank lora_a.shape[1] must be >= 1")
    b = batch(batch_, x)
    s, scales = scale(scale_, lora_a.shape[0], x)
    return x, lora_a, b, s, scales


def expand_args(y, v, lora_b, batch_, scale_) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, LoraBatch, float,
                                                         Optional[torch.Tensor]]:
    y = tensor(y, "y", 2, "[T, h_out]")
    v = tensor(v, "v", 2, "[T, r]")
    lora_b = tensor(lora_b, "lora_b", 3, "[n_lora, h_out, r]")
    dtype(y, "y")
    same(lora_b, "lora_b", y, "y")
    same(v, "v", y, "y", check_dtype=False)
    if not v.dtype.is_floating_point:
        raise TypeError(f"v has dtype {v.dtype}; expected float32 (as sgmv.shrink returns it)")
    dim_equal(v.shape[0], "v.shape[0] (T)", y.shape[0], "y.shape[0] (T)")
    dim_equal(lora_b.shape[1], "lora_b.shape[1] (h_out)", y.shape[1], "y.shape[1] (h_out)")
    dim_equal(lora_b.shape[2], "lora_b.shape[2] (r)", v.shape[1], "v.shape[1] (r)")
    if lora_b.shape[2] < 1:
        raise ValueError(f"lora_b has shape {tuple(lora_b.shape)}; the rank lora_b.shape[2] must be >= 1")
    b = batch(batch_, y)
    s, scales = scale(scale_, lora_b.shape[0], y)
    if v.dtype != torch.float32 or (v.numel() > 0 and v.stride(-1) != 1):
        v = v.to(torch.float32).contiguous()
    return y, v, lora_b, b, s, scales


def pair(lora_a: torch.Tensor, lora_b: torch.Tensor) -> None:
    if lora_a.shape[0] != lora_b.shape[0] or lora_a.shape[1] != lora_b.shape[2]:
        raise ValueError(f"lora_a has shape {tuple(lora_a.shape)} and lora_b {tuple(lora_b.shape)}; "
                         "they must agree on n_lora (dim 0) and r (lora_a dim 1, lora_b dim 2)")


def add_lora_args(y, x, lora_a, lora_b, batch_, scale_):
    """(y, x, lora_a, lora_b, batch, scalar scale, per-adapter scales or None)."""
    x, lora_a, b, _, _ = shrink_args(x, lora_a, batch_, 1.0)
    y = tensor(y, "y", 2, "[T, h_out]")
    lora_b = tensor(lora_b, "lora_b", 3, "[n_lora, h_out, r]")
    same(y, "y", x, "x")
    same(lora_b, "lora_b", x, "x")
    dim_equal(y.shape[0], "y.shape[0] (T)", x.shape[0], "x.shape[0] (T)")
    dim_equal(lora_b.shape[1], "lora_b.shape[1] (h_out)", y.shape[1], "y.shape[1] (h_out)")
    pair(lora_a, lora_b)
    s, scales = scale(scale_, lora_b.shape[0], x)
    return y, x, lora_a, lora_b, b, s, scales
