"""Model-level pieces: a Linear layer that serves a stack of LoRA adapters at once, and PEFT adapters loaded into it.

    layers = sgmv.wrap_linears(model, ["q_proj", "v_proj"], max_loras=8, max_rank=16)   # nn.Linear -> LoraLinear
    sgmv.load_adapter(layers, slot=0, adapter=sgmv.read_peft_adapter("adapters/sql"))  # a PEFT adapter's folder
    with sgmv.using_batch(sgmv.LoraBatch.from_segments(indptr, slots, device="cuda")):
        out = model(tokens)   # each wrapped layer: base(x) + its adapters' terms, one add_lora call

Inference only: the adapters are buffers (no gradients), and add_lora adds into the base layer's output in place.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import math
import os
import pathlib
import struct
from typing import Iterable, Iterator, Mapping, Optional, Union

import torch

from .batch import LoraBatch
from .ops import add_lora

_current_batch: contextvars.ContextVar[Optional[LoraBatch]] = contextvars.ContextVar("sgmv_batch", default=None)


@contextlib.contextmanager
def using_batch(batch: LoraBatch) -> Iterator[LoraBatch]:
    """The batch every LoraLinear's forward serves inside the block (the rows of its input, flattened to [T, h_in])."""
    if not isinstance(batch, LoraBatch):
        raise TypeError(f"using_batch takes a sgmv.LoraBatch, got {type(batch).__name__}")
    token = _current_batch.set(batch)
    try:
        yield batch
    finally:
        _current_batch.reset(token)


class LoraLinear(torch.nn.Module):
    """`base` (an nn.Linear, kept as it is) plus max_loras adapter slots of rank up to max_rank, in the stacked layout
    the ops take (lora_a [max_loras, max_rank, in_features], lora_b [max_loras, out_features, max_rank], buffers of
    the base weight's dtype and device), each slot with its true rank (0: empty, adds nothing). A slot's scale is
    folded into its lora_b when the adapter is loaded (B * scale, rounded once to the layer's dtype), so forward passes
    add_lora a float scale of 1: with a tensor of per-slot scales its kernel could read no batch table before the
    previous kernel ends, 0.3-1.1 us a call on decode batches of 1-16 rows (NOTES.md, entries 348 and 358).

    forward(x): base(x), plus for each row the term of the slot the active batch (using_batch) gives it; x is
    [..., in_features] with T rows in all, T the batch's rows. Slots of a rank below max_rank are zero-padded and
    computed at their true ranks."""

    def __init__(self, base: torch.nn.Linear, max_loras: int, max_rank: int):
        super().__init__()
        if not isinstance(base, torch.nn.Linear):
            raise TypeError(f"LoraLinear wraps a torch.nn.Linear, got {type(base).__name__}")
        if max_loras < 1 or max_rank < 1:
            raise ValueError(f"max_loras={max_loras} and max_rank={max_rank} must both be >= 1")
        self.base = base
        weight = base.weight
        like = dict(dtype=weight.dtype, device=weight.device)
        self.register_buffer("lora_a", torch.zeros(max_loras, max_rank, base.in_features, **like))
        self.register_buffer("lora_b", torch.zeros(max_loras, base.out_features, max_rank, **like))
        self.register_buffer("ranks", torch.zeros(max_loras, dtype=torch.int32, device=weight.device))
        self._slot_ranks = [0] * max_loras  # the ranks on the host: whether any slot is narrower than max_rank
        self.register_load_state_dict_post_hook(lambda module, keys: module._read_slot_ranks())

    def _read_slot_ranks(self) -> None:
        """The host's copy of the slots' ranks, after load_state_dict replaced the buffer (one read of it)."""
        self._slot_ranks = [int(r) for r in self.ranks.tolist()]

    @property
    def max_loras(self) -> int:
        return self.lora_a.shape[0]

    @property
    def max_rank(self) -> int:
        return self.lora_a.shape[1]

    def _check_slot(self, slot: int) -> None:
        if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < self.max_loras:
            raise ValueError(f"slot {slot!r} is not one of this layer's {self.max_loras} slots "
                             f"(0..{self.max_loras - 1})")

    def check_adapter(self, lora_a: torch.Tensor, lora_b: torch.Tensor) -> int:
        """The rank of an adapter that fits this layer (set_adapter's shapes); ValueError naming the misfit."""
        if not isinstance(lora_a, torch.Tensor) or not isinstance(lora_b, torch.Tensor):
            raise TypeError(f"lora_a and lora_b must be tensors, got {type(lora_a).__name__} and "
                            f"{type(lora_b).__name__}")
        if lora_a.dim() != 2 or lora_b.dim() != 2:
            raise ValueError(f"lora_a {tuple(lora_a.shape)} and lora_b {tuple(lora_b.shape)} must be 2-D: "
                             "[r, in_features] and [out_features, r]")
        r = lora_a.shape[0]
        if lora_a.shape[1] != self.base.in_features or tuple(lora_b.shape) != (self.base.out_features, r):
            raise ValueError(f"lora_a {tuple(lora_a.shape)} and lora_b {tuple(lora_b.shape)} do not fit this layer: "
                             f"expected [r, {self.base.in_features}] and [{self.base.out_features}, r]")
        if not 1 <= r <= self.max_rank:
            raise ValueError(f"the adapter's rank {r} is outside 1..max_rank ({self.max_rank})")
        return r

    @torch.no_grad()
    def set_adapter(self, slot: int, lora_a: torch.Tensor, lora_b: torch.Tensor, scale: float = 1.0) -> None:
        """Loads one adapter into `slot`: lora_a [r, in_features] and lora_b [out_features, r] (nn.Linear / PEFT
        layout), 1 <= r <= max_rank, copied in the layer's dtype and device; `scale` multiplies its term (alpha / r):
        the slot holds lora_b * scale, computed in float32 (float64 for float64 weights) and rounded once. ValueError,
        with nothing changed, where lora_b * scale overflows the layer's dtype (fp16: 65504)."""
        self._check_slot(slot)
        r = self.check_adapter(lora_a, lora_b)
        scale = float(scale)
        exact = lora_b.to(device=self.lora_b.device, dtype=torch.promote_types(lora_b.dtype, torch.float32)) * scale
        scaled = exact.to(self.lora_b.dtype)
        if bool((torch.isfinite(exact) & ~torch.isfinite(scaled)).any()):  # finite, then not: the rounding overflowed
            raise ValueError(f"lora_b * scale ({scale}) overflows the layer's {self.lora_b.dtype}: largest |value| "
                             f"{float(exact.abs().max()):.6g}")
        self.lora_a[slot].zero_()
        self.lora_b[slot].zero_()
        self.lora_a[slot, :r].copy_(lora_a)
        self.lora_b[slot, :, :r].copy_(scaled)
        self.ranks[slot] = r
        self._slot_ranks[slot] = r

    @torch.no_grad()
    def clear_adapter(self, slot: int) -> None:
        """Empties `slot`: its rows get the base layer's output only."""
        self._check_slot(slot)
        self.lora_a[slot].zero_()
        self.lora_b[slot].zero_()
        self.ranks[slot] = 0
        self._slot_ranks[slot] = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch = _current_batch.get()
        if batch is None:
            raise RuntimeError("no LoraBatch is active: run the model inside `with sgmv.using_batch(batch):`")
        y = self.base(x)
        narrower = any(0 < r < self.max_rank for r in self._slot_ranks)  # computed at the true ranks (no zeros)
        add_lora(y.view(-1, y.shape[-1]), x.reshape(-1, x.shape[-1]), self.lora_a, self.lora_b, batch,
                 ranks=self.ranks if narrower else None)
        return y

    def extra_repr(self) -> str:
        return f"max_loras={self.max_loras}, max_rank={self.max_rank}"


def wrap_linears(model: torch.nn.Module, targets: Iterable[str], max_loras: int,
                 max_rank: int) -> dict[str, LoraLinear]:
    """Replaces each nn.Linear of `model` whose name, or its last part (PEFT's target_modules: "q_proj"), is in
    `targets` by a LoraLinear around it; returns them by qualified name. ValueError where a target names none."""
    targets = set(targets)
    found = [(name, module) for name, module in model.named_modules()
             if isinstance(module, torch.nn.Linear) and (name in targets or name.rsplit(".", 1)[-1] in targets)]
    matched = {t for t in targets if any(name == t or name.rsplit(".", 1)[-1] == t for name, _ in found)}
    if targets - matched:
        raise ValueError(f"no nn.Linear of the model is named {sorted(targets - matched)}")
    layers = {}
    for name, linear in found:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        layers[name] = LoraLinear(linear, max_loras, max_rank)
        setattr(parent, child, layers[name])
    return layers


def peft_adapter(state_dict: Mapping[str, torch.Tensor], lora_alpha: float, r: int,
                 use_rslora: bool = False) -> dict[str, tuple[torch.Tensor, torch.Tensor, float]]:
    """A PEFT LoRA adapter's weights by module (as adapter_model.safetensors or .bin holds them, loaded by the caller):
    {module name: (lora_a [r, in], lora_b [out, r], scale)}, the scale lora_alpha / r (lora_alpha / sqrt(r) with
    use_rslora), as adapter_config.json gives them. Names lose PEFT's "base_model.model." prefix and adapter name. A
    module whose lora_A is not of rank r, or weights that are not a Linear's A and B (embedding LoRA, DoRA magnitudes,
    LoRA biases, modules_to_save), raise ValueError."""
    if r < 1:
        raise ValueError(f"r={r} must be >= 1")
    parts: dict[str, dict[str, torch.Tensor]] = {}
    unserved = []
    for key, value in state_dict.items():
        which = next((w for w in ("lora_A", "lora_B") if f".{w}." in key and key.endswith(".weight")), None)
        if which is None:
            if "lora_" in key or "modules_to_save" in key:  # embedding LoRA, DoRA's magnitudes, LoRA biases, whole
                unserved.append(key)  # modules the adapter replaces: not a Linear's A and B
            continue
        module = key.split(f".{which}.")[0].removeprefix("base_model.model.")
        parts.setdefault(module, {})[which] = value
    if unserved:
        raise ValueError(f"the state dict holds adapter weights these layers do not serve (only Linear layers' lora_A "
                         f"and lora_B): {unserved[:3]}{' ...' if len(unserved) > 3 else ''}")
    if not parts:
        raise ValueError("the state dict holds no lora_A / lora_B weights (keys like '...q_proj.lora_A.weight')")
    scale = lora_alpha / (math.sqrt(r) if use_rslora else r)
    adapter = {}
    for module, pair in parts.items():
        if set(pair) != {"lora_A", "lora_B"}:
            raise ValueError(f"module {module!r} has {sorted(pair)} but not both lora_A and lora_B")
        if pair["lora_A"].shape[0] != r:
            raise ValueError(f"module {module!r} has lora_A of rank {pair['lora_A'].shape[0]}, not r={r} "
                             "(a rank of its own: rank_pattern)")
        adapter[module] = (pair["lora_A"], pair["lora_B"], scale)
    return adapter


# safetensors' element types this reader takes (its header's "dtype" names)
_SAFETENSORS_DTYPES = {"F16": torch.float16, "BF16": torch.bfloat16, "F32": torch.float32, "F64": torch.float64}


def read_safetensors(path: Union[str, os.PathLike]) -> dict[str, torch.Tensor]:
    """The tensors of a .safetensors file (an 8-byte little-endian header length, a JSON header of each tensor's
    dtype, shape and byte range, then the bytes), on the CPU, without the safetensors package."""
    data = pathlib.Path(path).read_bytes()
    try:
        (size,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + size])
    except (struct.error, ValueError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not a safetensors file ({err})") from None
    body = memoryview(data)[8 + size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name!r} has dtype {info['dtype']}; "
                             f"read: {', '.join(_SAFETENSORS_DTYPES)}")
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"])
    return tensors


def read_peft_adapter(directory: Union[str, os.PathLike]) -> dict[str, tuple[torch.Tensor, torch.Tensor, float]]:
    """peft_adapter of a PEFT adapter's folder: adapter_config.json (r, lora_alpha, use_rslora) and
    adapter_model.safetensors (or adapter_model.bin). Per-module ranks or alphas (rank_pattern, alpha_pattern) and
    DoRA are not plain stacked LoRA: ValueError."""
    folder = pathlib.Path(directory)
    config_path = folder / "adapter_config.json"
    if not config_path.is_file():
        raise FileNotFoundError(f"{folder}: no adapter_config.json (a PEFT adapter's folder holds one)")
    config = json.loads(config_path.read_text())
    for key in ("rank_pattern", "alpha_pattern"):
        if config.get(key):
            raise ValueError(f"{config_path}: {key} gives modules ranks or alphas of their own; load them with "
                             "peft_adapter per group of modules")
    if config.get("use_dora"):
        raise ValueError(f"{config_path}: a DoRA adapter (use_dora) is not a LoRA adapter these layers serve")
    if (folder / "adapter_model.safetensors").is_file():
        state = read_safetensors(folder / "adapter_model.safetensors")
    elif (folder / "adapter_model.bin").is_file():
        state = torch.load(folder / "adapter_model.bin", map_location="cpu", weights_only=True)
    else:
        raise FileNotFoundError(f"{folder}: neither adapter_model.safetensors nor adapter_model.bin")
    return peft_adapter(state, config["lora_alpha"], config["r"], bool(config.get("use_rslora", False)))


def load_adapter(layers: Mapping[str, LoraLinear], slot: int,
                 adapter: Mapping[str, tuple[torch.Tensor, torch.Tensor, float]]) -> None:
    """Loads `adapter` (peft_adapter's, or the same by hand) into `slot` of wrap_linears' layers; a layer the adapter
    does not cover has the slot emptied. A module of the adapter that names no layer, a bad slot or weights that do
    not fit their layer raise before any layer changes."""
    unknown = sorted(set(adapter) - set(layers))
    if unknown:
        raise ValueError(f"the adapter has modules no wrapped layer is named: {unknown[:4]}"
                         f"{' ...' if len(unknown) > 4 else ''}; wrapped: {sorted(layers)[:4]}")
    for name, layer in layers.items():
        layer._check_slot(slot)
        if name in adapter:
            try:
                layer.check_adapter(*adapter[name][:2])
            except (TypeError, ValueError) as err:
                raise type(err)(f"module {name!r}: {err}") from None
    for name, layer in layers.items():
        if name in adapter:
            lora_a, lora_b, scale = adapter[name]
            layer.set_adapter(slot, lora_a, lora_b, scale)
        else:
            layer.clear_adapter(slot)
