"""The loader's failure modes give DriverError with the cause, not a traceback from deep inside (no GPU needed)."""
import types

import pytest

from sgmv import loader
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
