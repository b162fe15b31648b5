"""Loading the compiled kernels with cuda-python and launching them on torch's current stream.

Each compile unit's image (its kernels) is loaded once per device, into the device's primary context (the
one torch uses), on first use of one of its kernels. `cuda.bindings` is imported lazily, so CPU-only use
never needs a driver.
"""
from __future__ import annotations

import functools
import threading
from typing import Any, Optional

import torch

from . import _abi
from .launch_plan import Launch
from .errors import DriverError, UnsupportedError
from .manifest import KernelRecord, load as load_manifest
from .one_launch import ONE_LAUNCH_OPS

DEFAULT_SMEM_LIMIT = 48 * 1024  # dynamic shared memory above this needs an opt-in per function
SM90_SMEM_PER_BLOCK = 227 * 1024  # the most a block may opt in to on sm_90 (H100, H200): every kernel of the build fits
CLUSTERS_FROM_ARCH = 90  # thread-block clusters, which every one-launch kernel uses, came with sm_90

_driver_module: Any = None
_devices: dict[int, "_Device"] = {}
_devices_lock = threading.Lock()


def cannot_run(kernel: KernelRecord, arch: int, max_smem_per_block: int) -> Optional[str]:
    """Why a GPU of compute capability `arch` whose blocks may opt in to `max_smem_per_block` bytes of shared memory
    cannot run `kernel`, or None where it can: a one-launch kernel needs thread-block clusters (built for an earlier
    GPU it traps), and no kernel launches with more shared memory than a block may have (99 KB on sm_86, sm_89 and
    sm_120). The one rule for selection (cuda_ops), loading (_Device) and the GPU tests' skips (tests/conftest.py)."""
    if kernel.op in ONE_LAUNCH_OPS and arch < CLUSTERS_FROM_ARCH:
        return f"{kernel.name} needs sm_{CLUSTERS_FROM_ARCH} or later (thread-block clusters); the GPU is sm_{arch}"
    if kernel.smem_bytes > max_smem_per_block:
        return (f"{kernel.name} needs {kernel.smem_bytes} bytes of shared memory a block; the GPU (sm_{arch}) allows "
                f"{max_smem_per_block}")
    return None


def _import_driver():
    from cuda.bindings import driver
    return driver


def _driver():
    """cuda.bindings.driver, initialized; DriverError (not a loader traceback) when it cannot be used."""
    global _driver_module
    if _driver_module is None:
        try:
            driver = _import_driver()
        except ImportError as err:
            raise DriverError(
                "CUDA tensors need the cuda-bindings package (pip install cuda-bindings); "
                f"importing cuda.bindings.driver failed: {err}") from None
        try:
            result = driver.cuInit(0)
        except Exception as err:  # e.g. libcuda.so not found: no NVIDIA driver on this machine
            raise DriverError(f"the CUDA driver could not be loaded (is an NVIDIA driver installed and a GPU "
                              f"visible?): {type(err).__name__}: {err}") from None
        _check(driver, result, "cuInit")
        _driver_module = driver
    return _driver_module


def _check(driver, result, call: str):
    """Unpack a cuda.bindings result tuple, raising DriverError with the driver's own words."""
    err, *values = result if isinstance(result, tuple) else (result,)
    if err != driver.CUresult.CUDA_SUCCESS:
        _, name = driver.cuGetErrorName(err)
        _, text = driver.cuGetErrorString(err)
        name = name.decode() if isinstance(name, bytes) else name
        text = text.decode() if isinstance(text, bytes) else text
        hint = " (is an NVIDIA driver installed and a GPU visible?)" if call == "cuInit" else ""
        raise DriverError(f"{call} failed: {name}: {text}{hint}")
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


class _Device:
    """The primary context of one GPU and the kernels loaded into it."""

    def __init__(self, ordinal: int):
        driver = _driver()
        self.ordinal = ordinal
        self.handle = _check(driver, driver.cuDeviceGet(ordinal), "cuDeviceGet")
        self.context = _check(driver, driver.cuDevicePrimaryCtxRetain(self.handle), "cuDevicePrimaryCtxRetain")
        major, minor = torch.cuda.get_device_capability(ordinal)
        self.arch = 10 * major + minor
        self.num_sms = torch.cuda.get_device_properties(ordinal).multi_processor_count
        # The most shared memory a block may opt in to (227 KB on the H100/H200, 163 KB on the A100, 99 KB on sm_86,
        # sm_89 and sm_120): the kernels that need more are not selected here (cannot_run).
        self.max_smem_per_block = _check(driver, driver.cuDeviceGetAttribute(
            driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, self.handle),
            "cuDeviceGetAttribute")
        self._functions: dict[str, Any] = {}
        self._resident: dict[str, int] = {}
        self._modules: dict[str, Any] = {}  # by compile unit: one image holds the unit's kernels
        self._lock = threading.Lock()

    def function(self, kernel: KernelRecord):
        fn = self._functions.get(kernel.name)
        if fn is not None:
            return fn
        with self._lock:
            fn = self._functions.get(kernel.name)
            if fn is None:
                fn = self._load(kernel)
                self._functions[kernel.name] = fn
        return fn

    def resident_blocks(self, kernel: KernelRecord) -> int:
        """Blocks of `kernel` one SM holds at once: the driver's count (driver_blocks), at most the kernel's
        occupancy_cap."""
        count = self._resident.get(kernel.name)
        if count is None:
            count = self.driver_blocks(kernel)
            if kernel.occupancy_cap:
                count = min(count, kernel.occupancy_cap)
            self._resident[kernel.name] = count
        return count

    def driver_blocks(self, kernel: KernelRecord) -> int:
        """Blocks of `kernel` the driver places on one SM at once (registers, shared memory, threads and, once
        loaded, the kernel's shared-memory carveout), not cached."""
        fn = self.function(kernel)
        driver = _driver()
        _check(driver, driver.cuCtxPushCurrent(self.context), "cuCtxPushCurrent")
        try:
            return _check(driver, driver.cuOccupancyMaxActiveBlocksPerMultiprocessor(
                fn, kernel.threads, kernel.smem_bytes), "cuOccupancyMaxActiveBlocksPerMultiprocessor")
        finally:
            _check(driver, driver.cuCtxPopCurrent(), "cuCtxPopCurrent")

    def resident_clusters(self, kernel: KernelRecord, cluster: int) -> int:
        """Clusters of `cluster` blocks of `kernel` the GPU holds at once, from the driver
        (cuOccupancyMaxActiveClusters: its GPCs' SMs, not only their count, bound it: 132 SMs do not hold 132 / cluster
        of them)."""
        key = f"{kernel.name}/{cluster}"
        count = self._resident.get(key)
        if count is None:
            fn = self.function(kernel)
            driver = _driver()
            config = _launch_config(driver, Launch(grid=(1, cluster, 1), threads=kernel.threads,
                                                   smem_bytes=kernel.smem_bytes, k_splits=1, cluster=cluster), False)
            _check(driver, driver.cuCtxPushCurrent(self.context), "cuCtxPushCurrent")
            try:
                count = _check(driver, driver.cuOccupancyMaxActiveClusters(fn, config), "cuOccupancyMaxActiveClusters")
            finally:
                _check(driver, driver.cuCtxPopCurrent(), "cuCtxPopCurrent")
            self._resident[key] = count
        return count

    def _load(self, kernel: KernelRecord):
        built = load_manifest()
        if not built.runs_on(self.arch):
            raise UnsupportedError(
                f"GPU {self.ordinal} is sm_{self.arch}; this build has kernels for sm_{built.archs}: "
                f"rebuild with SGMV_CUDA_ARCHS={self.arch}")
        reason = cannot_run(kernel, self.arch, self.max_smem_per_block)
        if reason is not None:
            raise UnsupportedError(f"GPU {self.ordinal}: {reason}")
        driver = _driver()
        _check(driver, driver.cuCtxPushCurrent(self.context), "cuCtxPushCurrent")
        try:
            module = self._modules.get(kernel.unit)
            if module is None:
                module = _check(driver, driver.cuModuleLoadData(kernel.image.read_bytes()),
                                f"cuModuleLoadData({kernel.image.name})")
                self._modules[kernel.unit] = module
            fn = _check(driver, driver.cuModuleGetFunction(module, kernel.name.encode()),
                        f"cuModuleGetFunction({kernel.name})")
            if kernel.smem_bytes > DEFAULT_SMEM_LIMIT:
                attr = driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
                _check(driver, driver.cuFuncSetAttribute(fn, attr, kernel.smem_bytes), "cuFuncSetAttribute")
            if kernel.occupancy_cap:  # the shared memory for that many blocks an SM, no more
                attrs = driver.CUdevice_attribute
                per_sm, reserved = (
                    _check(driver, driver.cuDeviceGetAttribute(attr, self.handle), "cuDeviceGetAttribute")
                    for attr in (attrs.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
                                 attrs.CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK))
                percent = carveout_percent(kernel.occupancy_cap, kernel.smem_bytes, reserved, per_sm)
                attr = driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT
                _check(driver, driver.cuFuncSetAttribute(fn, attr, percent), "cuFuncSetAttribute")
        finally:
            _check(driver, driver.cuCtxPopCurrent(), "cuCtxPopCurrent")
        return fn


def carveout_percent(blocks: int, smem_bytes: int, reserved: int, per_sm: int) -> int:
    """The preferred shared-memory carveout (percent of an SM's `per_sm` bytes) that holds `blocks` blocks of
    `smem_bytes` each and the driver's `reserved` bytes a block: the driver rounds it up to one of the SM's
    configurations and places only the blocks that fit there (KernelRecord.occupancy_cap), and L1 keeps the rest."""
    return min(100, -(-100 * blocks * (smem_bytes + reserved) // per_sm))


def device(ordinal: int) -> _Device:
    dev = _devices.get(ordinal)
    if dev is None:
        with _devices_lock:
            dev = _devices.get(ordinal)
            if dev is None:
                dev = _devices[ordinal] = _Device(ordinal)
    return dev


def _launch_config(driver, geometry: Launch, overlap_previous: bool):
    """cuLaunchKernelEx's configuration of `geometry` (on the null stream): a programmatic dependent launch where
    overlap_previous, thread-block clusters of geometry.cluster blocks along grid y where it is over 1."""
    config = driver.CUlaunchConfig()
    config.gridDimX, config.gridDimY, config.gridDimZ = geometry.grid
    config.blockDimX, config.blockDimY, config.blockDimZ = geometry.threads, 1, 1
    config.sharedMemBytes = geometry.smem_bytes
    attrs = []
    if overlap_previous:
        attr = driver.CUlaunchAttribute()
        attr.id = driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION
        attr.value.programmaticStreamSerializationAllowed = 1
        attrs.append(attr)
    if geometry.cluster > 1:
        attr = driver.CUlaunchAttribute()
        attr.id = driver.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION
        attr.value.clusterDim.x, attr.value.clusterDim.y, attr.value.clusterDim.z = 1, geometry.cluster, 1
        attrs.append(attr)
    config.attrs = attrs
    config.numAttrs = len(attrs)
    return config


@functools.lru_cache(maxsize=1024)
def _stream_launch_config(geometry: Launch, overlap_previous: bool, stream_handle: int):
    """_launch_config on that stream, made once: building one costs ~5 us of cuda-python calls, a launch's largest host
    cost after the call itself (NOTES.md, entry 345). Never changed once made (cuLaunchKernelEx only reads it), so
    threads may share it."""
    driver = _driver()
    config = _launch_config(driver, geometry, overlap_previous)
    config.hStream = driver.CUstream(stream_handle)
    return config


def capture_id(stream_handle: int) -> int:
    """The id of the CUDA graph capture running on the stream (cuStreamGetCaptureInfo)."""
    driver = _driver()
    status, capture, *_ = _check(driver, driver.cuStreamGetCaptureInfo(driver.CUstream(stream_handle)),
                                 "cuStreamGetCaptureInfo")
    return int(capture)


def launch(kernel: KernelRecord, geometry: Launch, params: _abi.SgmvParams, tensor: torch.Tensor,
           overlap_previous: bool = False) -> None:
    """Launch `kernel` on the current stream of `tensor`'s device with `params` as its one argument.

    overlap_previous: allow a programmatic dependent launch, so the kernel's blocks start while the
    previous kernel on the stream finishes; the kernel must wait for it (griddepcontrol.wait) before
    reading its results. Also recorded as such in CUDA graphs. geometry.cluster > 1 launches thread-block
    clusters of that many blocks along grid y.
    """
    dev = device(tensor.device.index)
    fn = dev.function(kernel)
    driver = _driver()
    config = _stream_launch_config(geometry, overlap_previous and dev.arch >= 90,
                                   torch.cuda.current_stream(tensor.device).cuda_stream)
    _check(driver, driver.cuCtxPushCurrent(dev.context), "cuCtxPushCurrent")
    try:
        _check(driver, driver.cuLaunchKernelEx(config, fn, ((params,), (None,)), 0), f"cuLaunchKernelEx({kernel.name})")
    finally:
        _check(driver, driver.cuCtxPopCurrent(), "cuCtxPopCurrent")
