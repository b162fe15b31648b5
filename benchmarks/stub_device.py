"""cuda_ops on the CPU: a stand-in sm_90 device (132 SMs, dispatch_picks.py's H200 model of occupancy unless told) and a
stand-in launch, for tools and tests that follow add_lora's host path without a GPU (host_time.py, launch_dump.py,
tests/test_add_lora_launches.py). Tensors stay on the CPU; nothing reaches a driver."""
import contextlib
import json
import pathlib
import types
from typing import Callable, Iterator, Optional, Sequence

import torch

from sgmv import cuda_ops, loader, manifest

import dispatch_picks


def h200(resident_blocks: Optional[Callable] = None, resident_clusters: Optional[Callable] = None):
    """The stand-in device: sm_90, 132 SMs, the occupancy given or dispatch_picks.py's H200 model."""
    return types.SimpleNamespace(arch=90, num_sms=dispatch_picks.NUM_SMS,
                                 resident_blocks=resident_blocks or dispatch_picks.resident_blocks,
                                 resident_clusters=resident_clusters or dispatch_picks.resident_clusters)


@contextlib.contextmanager
def stubbed(launch: Callable = lambda kernel, geometry, params, tensor, overlap_previous=False: None,
            device=None) -> Iterator[types.SimpleNamespace]:
    """Inside: loader.device gives `device` (h200() by default), loader.launch calls `launch` with launch's arguments,
    torch.cuda's device, stream and capture queries answer as one stream outside a capture, and cuda_ops's memos and
    per-stream tables start empty; everything is restored after."""
    device = device or h200()
    patches = [(loader, "device", lambda index: device), (loader, "launch", launch),
               (torch.cuda, "device", lambda where: contextlib.nullcontext()),
               (torch.cuda, "current_stream", lambda where=None: types.SimpleNamespace(cuda_stream=1)),
               (torch.cuda, "is_current_stream_capturing", lambda: False),
               (cuda_ops, "_rank_tables", {}), (cuda_ops, "_handoff_workspaces", {})]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, value in patches:
        setattr(owner, name, value)
    cuda_ops.clear_selections()
    try:
        yield device
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        cuda_ops.clear_selections()


def manifest_flag(argv: Sequence[str]) -> None:
    """`--manifest=M` among a tool's arguments (a wheel's sgmv/kernels/manifest.json): cuda_ops selects from its
    kernels in place of the installed ones."""
    for arg in argv:
        if arg.startswith("--manifest="):
            loaded = manifest.parse(json.loads(pathlib.Path(arg.split("=", 1)[1]).read_text()))
            cuda_ops.load_manifest = lambda: loaded
