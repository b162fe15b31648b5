"""Every launch cuda_ops makes over a grid of calls, on the CPU (stub_device.py: the H200 model, the driver stubbed): a
line a launch with its kernel, geometry, overlap flag and every SgmvParams field, pointers written as the tensor and
byte offset they point into. Two trees' dumps diff to nothing where a change to the host path launches the same
(NOTES.md, entry 341: 12,488 lines over 1,125 calls).

    PYTHONPATH=python python benchmarks/launch_dump.py --manifest=M > dump.txt
"""
import itertools
import sys

import torch

from sgmv import cuda_ops
from sgmv._abi import SgmvParams, SgmvSlice

import stub_device

POINTERS = {"x", "y", "seg_indptr", "lora_indices", "scales", "row_index", "ranks", "handoff"}
SHAPES = ((4096, 4096), (8192, 8192), (4096, 14336), (1040, 1032), (3584, 18944))
RANKS = (8, 16, 24, 32, 64, 88, 96, 128, 256)
BATCHES = ([1], [1] * 7, [1] * 64, [1] * 256, [16], [256], [4] * 16, [300, 0, 17, 1], [1024] * 2, [64] * 30, [2048])
N_LORA = 6


def _label(pointer: int, tensors: dict[str, torch.Tensor]) -> str:
    """The tensor (by name) and byte offset a pointer points into: the call's own, a table of ranks, the handoff
    workspace, or "other" (the pair's workspace of v)."""
    if not pointer:
        return "0"
    for name, t in tensors.items():
        base = t.data_ptr()
        if base <= pointer < base + max(t.untyped_storage().nbytes(), 1):
            return f"{name}+{pointer - base}"
    for table in cuda_ops._rank_tables.values():
        if table.data_ptr() == pointer:
            return f"ranktable{table.tolist()}"
    if any(w.data_ptr() == pointer for w in cuda_ops._handoff_workspaces.values()):
        return "handoff"
    return "other"


def dump() -> list[str]:
    out: list[str] = []
    tensors: dict[str, torch.Tensor] = {}

    def record(kernel, geometry, params, tensor, overlap_previous=False):
        fields = []
        for name, _ in SgmvParams._fields_:
            if name == "slices":
                for i in range(params.num_slices):
                    s = params.slices[i]
                    fields.append(f"s{i}:" + ",".join(
                        f"{n}={_label(s.w, tensors) if n == 'w' else getattr(s, n)}" for n, _ in SgmvSlice._fields_))
            elif name in POINTERS:
                fields.append(f"{name}={_label(getattr(params, name), tensors)}")
            else:
                value = getattr(params, name)
                fields.append(f"{name}={value:.6g}" if isinstance(value, float) else f"{name}={value}")
        out.append(f"  {kernel.name} {geometry} overlap={overlap_previous} " + " ".join(fields))

    def attempt(label: str, call) -> None:
        out.append(label)
        try:
            call()
        except Exception as err:  # recorded: a call that raises must keep raising alike
            out.append(f"  ERROR {type(err).__name__}: {err}")

    with stub_device.stubbed(record):
        grid = itertools.product(SHAPES, RANKS, BATCHES, (torch.bfloat16, torch.float16))
        for (h_in, h_out), r, sizes, dtype in grid:
            rows = sum(sizes)
            x, y = torch.empty(rows, h_in, dtype=dtype), torch.empty(rows, h_out, dtype=dtype)
            a = torch.empty(1, r, h_in, dtype=dtype).expand(N_LORA, r, h_in)  # one adapter's memory for all
            b = torch.empty(1, h_out, r, dtype=dtype).expand(N_LORA, h_out, r)
            indptr = torch.tensor([0, *itertools.accumulate(sizes)], dtype=torch.int32)
            loras = torch.tensor([(i * 5) % N_LORA if i % 7 != 3 else -1 for i in range(len(sizes))], dtype=torch.int32)
            scales = torch.rand(N_LORA)
            true = torch.tensor([r - 8 * (i % 2) for i in range(N_LORA)], dtype=torch.int32)
            tensors.clear()
            tensors.update(x=x, y=y, a=a, b=b, indptr=indptr, loras=loras, scales=scales, true=true)
            for name, kwargs, sc, tr in (("plain", {}, None, None), ("scales", {}, scales, None),
                                         ("true", {}, None, true), ("pair", {"fused": False}, None, None),
                                         ("ready", {}, None, None)):
                batch = cuda_ops.Rows(indptr, loras, ranks=tr, max_segment_rows=max(sizes),
                                      tables_ready=name == "ready")
                attempt(f"{h_in}x{h_out} r{r} {sizes[:4]}x{len(sizes)} {dtype} {name}",
                        lambda: cuda_ops.add_lora(y, x, [a], [b], batch, sc, 0.5, **kwargs))
            if (h_in, h_out) == (4096, 4096) and r in (16, 64):  # the standalone ops, and two output slices
                batch = cuda_ops.Rows(indptr, loras, max_segment_rows=max(sizes))
                tensors["v"] = v = torch.zeros(rows, r, dtype=torch.float32)
                tensors["b2"] = b2 = torch.empty(1, 1024, r, dtype=dtype).expand(N_LORA, 1024, r)
                tensors["y2"] = y2 = torch.empty(rows, h_out + 1024, dtype=dtype)
                label = f"{r} {sizes[:4]}x{len(sizes)} {dtype}"
                attempt(f"shrink {label}", lambda: cuda_ops.shrink_into(v, x, [a], batch, None, 1.0))
                attempt(f"expand {label}", lambda: cuda_ops.expand(y, v, [b], batch, scales, 0.5))
                attempt(f"slices {label}", lambda: cuda_ops.add_lora(y2, x, [a, a], [b, b2], batch, None, 0.5))
                # three slices (q + k + v), at y's columns 0, 4096 and 5120 of a y whose base is 8 elements in; then
                # a first slice of 1020 columns (the others' y columns off 16 bytes) and one of another rank
                tensors["y3"] = y3 = torch.empty(rows, h_out + 2056, dtype=dtype)[:, 8:]
                tensors["b3"] = b3 = torch.empty(1, 1020, r, dtype=dtype).expand(N_LORA, 1020, r)
                tensors["a4"] = a4 = torch.empty(1, r // 2, h_in, dtype=dtype).expand(N_LORA, r // 2, h_in)
                tensors["b4"] = b4 = torch.empty(1, 1024, r // 2, dtype=dtype).expand(N_LORA, 1024, r // 2)
                attempt(f"qkv {label}", lambda: cuda_ops.add_lora(y3, x, [a, a, a], [b, b2, b2], batch, None, 0.5))
                attempt(f"odd {label}", lambda: cuda_ops.add_lora(y3[:, :2044], x, [a, a], [b3, b2], batch, None,
                                                                  0.5))
                attempt(f"ranks {label}", lambda: cuda_ops.add_lora(y3[:, :5120], x, [a, a4], [b, b4], batch, None,
                                                                    0.5))
    return out


if __name__ == "__main__":
    stub_device.manifest_flag(sys.argv[1:])
    print("\n".join(dump()))
