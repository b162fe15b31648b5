"""The CMake build honours SGMV_CUDA_ARCHS and SGMV_KERNELS (needs nvcc and the CUTLASS headers, no GPU)."""
import importlib.util
import json
import pathlib
import shutil
import struct
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NVCC = shutil.which("nvcc")
HAS_CUTLASS = importlib.util.find_spec("cutlass_library") is not None
pytestmark = pytest.mark.skipif(not (NVCC and HAS_CUTLASS and shutil.which("cmake")),
                                reason="needs nvcc, cmake and nvidia-cutlass (pip install '.[test]')")


def elf_archs(image: bytes) -> list[int]:
    """SM architectures of the ELF images in a fatbin (bits 8-15 of e_flags: 0x5a -> sm_90)."""
    archs, i = [], 0
    while (j := image.find(b"\x7fELF", i)) >= 0:
        archs.append((struct.unpack_from("<I", image, j + 0x30)[0] >> 8) & 0xFF)
        i = j + 4
    return sorted(archs)


def test_two_architectures_and_a_kernel_filter(tmp_path):
    name = "sgmv_shrink_bf16_r16_h4096_w4m16n16u4_v8"
    build, prefix = tmp_path / "build", tmp_path / "install"
    subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DSGMV_CUDA_ARCHS=80;90",
                    f"-DSGMV_KERNELS={name}", f"-DCMAKE_INSTALL_PREFIX={prefix}"],
                   check=True, capture_output=True, text=True)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True, text=True)
    subprocess.run(["cmake", "--install", str(build)], check=True, capture_output=True, text=True)
    kernels = prefix / "sgmv" / "kernels"
    manifest = json.loads((kernels / "manifest.json").read_text())
    assert manifest["archs"] == [80, 90]
    assert [k["name"] for k in manifest["kernels"]] == [name]
    assert elf_archs((kernels / f"{name}.fatbin").read_bytes()) == [80, 90]
