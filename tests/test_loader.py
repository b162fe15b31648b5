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
