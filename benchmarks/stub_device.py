"""cuda_ops on the CPU: a stand-in sm_90 device (132 SMs, dispatch_picks.py's H200 model of occupancy unless told) and a
stand-in launch, for tools and tests that follow add_lora's host path without a GPU (host_time.py, launch_dump.py,
tests/test_add_lora_launches.py, tests/test_loader.py). Tensors stay on the CPU; nothing reaches a driver: either
loader.launch is replaced, or it runs with cuda-bindings' types and its driver calls recorded (recording_driver), and
the public ops may run their CUDA kernels on CPU tensors (cuda_kernels_on_cpu)."""
import contextlib
import inspect
import json
import pathlib
import types
import warnings
from typing import Callable, Iterator, Optional, Sequence

import torch

from sgmv import cuda_ops, loader, manifest

import dispatch_picks


def h200(resident_blocks: Optional[Callable] = None, resident_clusters: Optional[Callable] = None):
    """The stand-in device: sm_90, 132 SMs, its blocks' shared memory, the occupancy given or dispatch_picks.py's H200
    model."""
    return types.SimpleNamespace(arch=90, num_sms=dispatch_picks.NUM_SMS, max_smem_per_block=loader.SM90_SMEM_PER_BLOCK,
                                 resident_blocks=resident_blocks or dispatch_picks.resident_blocks,
                                 resident_clusters=resident_clusters or dispatch_picks.resident_clusters,
                                 context=None, function=lambda kernel: kernel.name)


def recording_driver(launched):
    """cuda.bindings.driver's types with its context and launch calls replaced: each cuLaunchKernelEx appends (config,
    function, kernel parameters) to `launched` (a list, or a deque that keeps the last few)."""
    from cuda.bindings import driver as real
    ok = real.CUresult.CUDA_SUCCESS
    driver = types.SimpleNamespace(**{name: getattr(real, name) for name in dir(real) if not name.startswith("_")})
    driver.cuCtxPushCurrent = lambda context: (ok,)
    driver.cuCtxPopCurrent = lambda: (ok, None)
    driver.cuLaunchKernelEx = lambda config, fn, args, extra: launched.append((config, fn, args)) or (ok,)
    return driver


@contextlib.contextmanager
def stubbed(launch: Optional[Callable] = lambda kernel, geometry, params, tensor, overlap_previous=False: None,
            device=None, driver=None, stream: int = 1) -> Iterator[types.SimpleNamespace]:
    """Inside: loader.device gives `device` (h200() by default), loader.launch calls `launch` with launch's arguments
    (None: loader.launch itself, on `driver`, e.g. recording_driver's), torch.cuda's device, stream and capture queries
    answer as the current stream (`stream` to start with) outside a capture, and cuda_ops's and loader's memos and
    per-stream tables start empty; everything is restored after. Yields the device and the current stream (set its
    cuda_stream to change streams)."""
    device = device or h200()
    current = types.SimpleNamespace(cuda_stream=stream)
    patches = [(loader, "device", lambda index: device), (loader, "launch", launch or loader.launch),
               (loader, "_driver_module", driver or loader._driver_module),
               (torch.cuda, "device", lambda where: contextlib.nullcontext()),
               (torch.cuda, "current_stream", lambda where=None: current),
               (torch.cuda, "is_current_stream_capturing", lambda: False),
               (cuda_ops, "_rank_tables", {}), (cuda_ops, "_handoff_workspaces", {})]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, value in patches:
        setattr(owner, name, value)
    cuda_ops.clear_selections()
    loader._stream_launch_config.cache_clear()
    try:
        yield types.SimpleNamespace(device=device, stream=current)
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        cuda_ops.clear_selections()
        loader._stream_launch_config.cache_clear()


# torch.library refuses to replace a kernel registered from Python unless told it may: `allow_override`, from torch
# 2.8 (False by default until 2.13, whose True hid this: the GPU machine's torch 2.11 refused, NOTES.md entry 357).
# Before 2.8 there is no way to, so cuda_kernels_on_cpu (the emulated device, host_time.py) needs 2.8.
CAN_REPLACE_KERNELS = "allow_override" in inspect.signature(torch.library.Library.impl).parameters
REPLACE_KERNELS_REASON = (f"replacing the ops' CPU kernels needs torch >= 2.8 (allow_override); this is "
                          f"{torch.__version__}")


@contextlib.contextmanager
def cuda_kernels_on_cpu() -> Iterator[None]:
    """Inside: the public ops' CUDA kernels (ops.py) also serve CPU tensors, so sgmv.add_lora on CPU tensors takes the
    GPU's host path (inside stubbed()); their CPU kernels are back after."""
    from sgmv import ops
    if not CAN_REPLACE_KERNELS:
        raise RuntimeError(REPLACE_KERNELS_REASON)
    lib = torch.library.Library("sgmv", "IMPL")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns of the override
        for name, kernel in (("shrink", ops._shrink_cuda), ("expand", ops._expand_cuda),
                             ("add_lora", ops._add_lora_cuda)):
            lib.impl(name, kernel, "CPU", allow_override=True)
    try:
        yield
    finally:
        lib._destroy()


def manifest_flag(argv: Sequence[str]) -> None:
    """`--manifest=M` among a tool's arguments (a wheel's sgmv/kernels/manifest.json): cuda_ops selects from its
    kernels in place of the installed ones."""
    for arg in argv:
        if arg.startswith("--manifest="):
            loaded = manifest.parse(json.loads(pathlib.Path(arg.split("=", 1)[1]).read_text()))
            cuda_ops.load_manifest = lambda: loaded
