"""The loader on the CPU (no GPU needed): its failure modes give DriverError with the cause, not a traceback from deep
inside; the launch configurations it passes the driver."""
import dataclasses
import pathlib
import types

import pytest
import torch

from sgmv import loader
from sgmv.launch_plan import Launch
from sgmv.errors import DriverError


@pytest.fixture
def fresh_driver(monkeypatch):
    monkeypatch.setattr(loader, "_driver_module", None)
    return monkeypatch


def test_missing_cuda_bindings(fresh_driver):
    def fail():
        raise ImportError("No module named 'cuda'")
    fresh_driver.setattr(loader, "_import_driver", fail)
    with pytest.raises(DriverError, match=r"need the cuda-bindings package \(pip install cuda-bindings\)"):
        loader._driver()


def test_missing_driver_library(fresh_driver):
    def cu_init(flags):
        raise OSError('"cuda" is an NVIDIA driver library and can only be found via system search')
    fresh_driver.setattr(loader, "_import_driver", lambda: types.SimpleNamespace(cuInit=cu_init))
    with pytest.raises(DriverError, match=r"the CUDA driver could not be loaded \(is an NVIDIA driver installed"):
        loader._driver()


def test_failing_driver_call_names_the_call_and_error():
    class Result:
        CUDA_SUCCESS = 0
    fake = types.SimpleNamespace(CUresult=Result, cuGetErrorName=lambda e: (0, b"CUDA_ERROR_NO_DEVICE"),
                                 cuGetErrorString=lambda e: (0, b"no CUDA-capable device is detected"))
    with pytest.raises(DriverError, match=r"cuInit failed: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected "
                                          r"\(is an NVIDIA driver installed and a GPU visible\?\)"):
        loader._check(fake, (100,), "cuInit")
    assert loader._check(fake, (0, "value"), "cuDeviceGet") == "value"


def test_carveout_percent_holds_the_capped_blocks():
    """The percent of an SM's shared memory (H200: 228 KB, 1 KB reserved a block) that the loader asks for where a
    kernel has an occupancy cap: enough for the cap's blocks, at most 100."""
    per_sm, reserved = 233472, 1024
    for blocks, smem in [(2, 55824), (2, 53776), (1, 200000), (3, 1000), (4, 70000)]:
        percent = loader.carveout_percent(blocks, smem, reserved, per_sm)
        assert 0 < percent <= 100
        assert percent == 100 or percent * per_sm / 100 >= blocks * (smem + reserved)
        assert (percent - 1) * per_sm / 100 < blocks * (smem + reserved)  # the least such percent
    assert loader.carveout_percent(2, 55824, reserved, per_sm) == 49  # 113.7 KB: the driver's 132 KB configuration



def test_launches_share_the_configuration_of_their_geometry_and_stream(monkeypatch):
    """loader.launch on a stand-in device with the driver's calls recorded (benchmarks/stub_device.py): the grid,
    block, shared memory, stream and attributes of each launch's configuration; one configuration object for every
    launch of one geometry, PDL choice and stream, another where any of them differs."""
    real = pytest.importorskip("cuda.bindings.driver")
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import stub_device
    clustered = Launch(grid=(3, 8, 2), threads=256, smem_bytes=4096, k_splits=1, cluster=4)
    plain = Launch(grid=(5, 1, 1), threads=128, smem_bytes=0, k_splits=1)
    calls = [(clustered, True, 0x1234), (clustered, True, 0x1234), (clustered, False, 0x1234), (plain, True, 0x1234),
             (clustered, True, 0x99), (plain, False, 0x99)]
    launched = []
    kernel, tensor = types.SimpleNamespace(name="kernel"), torch.empty(0)
    with stub_device.stubbed(None, driver=stub_device.recording_driver(launched)) as stand_in:
        for geometry, overlap, handle in calls:
            stand_in.stream.cuda_stream = handle
            loader.launch(kernel, geometry, "params", tensor, overlap_previous=overlap)
    configs = [config for config, _, _ in launched]
    assert [(fn, args) for _, fn, args in launched] == [("kernel", (("params",), (None,)))] * len(calls)
    assert configs[0] is configs[1] and len({id(config) for config in configs}) == len(calls) - 1
    for config, (geometry, overlap, handle) in zip(configs, calls):
        assert (config.gridDimX, config.gridDimY, config.gridDimZ) == geometry.grid
        assert (config.blockDimX, config.blockDimY, config.blockDimZ) == (geometry.threads, 1, 1)
        assert config.sharedMemBytes == geometry.smem_bytes and int(config.hStream) == handle
        attrs = config.attrs[:config.numAttrs]
        assert [attr.id for attr in attrs] == (
            [real.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION] * overlap
            + [real.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION] * (geometry.cluster > 1))
        if overlap:
            assert attrs[0].value.programmaticStreamSerializationAllowed == 1
        if geometry.cluster > 1:
            dim = attrs[-1].value.clusterDim
            assert (dim.x, dim.y, dim.z) == (1, geometry.cluster, 1)


def test_a_kernel_needing_more_shared_memory_than_the_gpu_allows_raises_before_the_driver_loads_it(monkeypatch):
    """A kernel forced on a GPU that allows less shared memory a block (99 KB on sm_89: the 107 KB rank-64 expand
    tile) raises UnsupportedError naming both sizes, not the driver's error from cuFuncSetAttribute; selection never
    picks one there (test_add_lora_launches.py)."""
    from dispatch_records import rec
    from sgmv import manifest
    from sgmv.errors import UnsupportedError
    monkeypatch.setattr(loader, "load_manifest", lambda: manifest.Manifest(archs=(89,), kernels=()))
    monkeypatch.setattr(loader, "_driver", lambda: pytest.fail("the driver was asked to load it"))
    gpu = types.SimpleNamespace(ordinal=0, arch=89, max_smem_per_block=99 * 1024)
    kernel = rec(op="expand", rank=64, smem_bytes=107008)
    with pytest.raises(UnsupportedError, match=r"GPU 0: .* needs 107008 bytes of shared memory a block; the "
                                               r"GPU \(sm_89\) allows 101376"):
        loader._Device._load(gpu, kernel)


def test_cannot_run_keeps_every_kernel_on_the_h200_and_says_why_elsewhere():
    """loader.cannot_run, the one rule of selection, loading and the GPU tests' skips (conftest's kernel_runs_here):
    nothing on sm_90 with 227 KB a block (every installed kernel, and the test kernels), the one-launch kernels before
    sm_90, the tiles over 99 KB on such GPUs."""
    from dispatch_records import AVAILABLE, GRID_FUSED, GRID_PREFILL
    from sgmv import manifest
    kernels = list(manifest.load().kernels) + AVAILABLE + GRID_FUSED + GRID_PREFILL
    assert all(loader.cannot_run(k, 90, loader.SM90_SMEM_PER_BLOCK) is None for k in kernels)
    fused = next(k for k in GRID_FUSED if k.op == "fused")
    assert loader.cannot_run(fused, 80, 163 * 1024) == f"{fused.name} needs sm_90 or later (thread-block clusters); " \
                                                       "the GPU is sm_80"
    expand = next(k for k in AVAILABLE if k.op == "expand")
    assert loader.cannot_run(expand, 80, 163 * 1024) is None  # the launch pair runs before sm_90
    assert loader.cannot_run(expand, 89, 99 * 1024) is None
    assert loader.cannot_run(dataclasses.replace(expand, smem_bytes=107008), 89, 99 * 1024) == (
        f"{expand.name} needs 107008 bytes of shared memory a block; the GPU (sm_89) allows 101376")


def test_a_one_launch_kernel_loaded_before_sm_90_raises_instead_of_trapping(monkeypatch):
    """Built for sm_80 too, a one-launch kernel traps there (no clusters), which would end the process's CUDA context:
    loading it raises UnsupportedError first."""
    from dispatch_records import GRID_FUSED
    from sgmv import manifest
    from sgmv.errors import UnsupportedError
    monkeypatch.setattr(loader, "load_manifest", lambda: manifest.Manifest(archs=(80,), kernels=()))
    monkeypatch.setattr(loader, "_driver", lambda: pytest.fail("the driver was asked to load it"))
    gpu = types.SimpleNamespace(ordinal=1, arch=80, max_smem_per_block=163 * 1024)
    fused = next(k for k in GRID_FUSED if k.op == "fused")
    with pytest.raises(UnsupportedError, match=r"GPU 1: .* needs sm_90 or later \(thread-block clusters\); the GPU is "
                                               r"sm_80"):
        loader._Device._load(gpu, fused)
