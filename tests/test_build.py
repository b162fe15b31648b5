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
    """Two kernels of one compile unit and one of another: a fatbin a unit, each with its kernels' entries."""
    names = ["sgmv_shrink_bf16_r16_h4096_w4m16n16u4_v8", "sgmv_shrink_bf16_r16_h2048_w4m16n16u4_v8",
             "sgmv_shrink_bf16_r8_h4096_w4m16n8u4_v8"]
    build, prefix = tmp_path / "build", tmp_path / "install"
    subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DSGMV_CUDA_ARCHS=80;90",
                    f"-DSGMV_KERNELS={';'.join(names)}", f"-DCMAKE_INSTALL_PREFIX={prefix}"],
                   check=True, capture_output=True, text=True)
    subprocess.run(["cmake", "--build", str(build), "-j2"], check=True, capture_output=True, text=True)
    subprocess.run(["cmake", "--install", str(build)], check=True, capture_output=True, text=True)
    kernels = prefix / "sgmv" / "kernels"
    manifest = json.loads((kernels / "manifest.json").read_text())
    assert manifest["archs"] == [80, 90]
    assert sorted(k["name"] for k in manifest["kernels"]) == sorted(names)
    assert sorted(p.name for p in kernels.glob("*.fatbin")) == ["sgmv_shrink_bf16_r16.fatbin",
                                                                "sgmv_shrink_bf16_r8.fatbin"]
    for row in manifest["kernels"]:
        image = (kernels / f"{row['unit']}.fatbin").read_bytes()
        assert elf_archs(image) == [80, 90]
        assert image.count(row["name"].encode() + b"\0") >= 2  # its entry's symbol in both architectures' ELF


def test_every_kernel_family_builds_for_the_architectures_around_sm_90(tmp_path):
    """One kernel of each family (the gemv, fused and prefill kernels use thread-block clusters, sm_90's; the prefill
    kernel's 64-row tile sm_90a's warpgroup MMAs) for sm_80 and sm_89 (without clusters: the one-launch kernels trap
    there, never picked) and sm_120 (clusters, no wgmma): `SGMV_CUDA_ARCHS` of README's wheel for your GPU. A gemv
    kernel that used its cluster unguarded failed every build but sm_90's."""
    names = ["sgmv_gemv_bf16_r16_hany_w4m1n2u1_v8", "sgmv_fused_bf16_r16_hany_w4m16n256u4_v8",
             "sgmv_prefill_bf16_r16_hany_w11m64n128u1_v8", "sgmv_expand_bf16_r16_hany_w4m16n256u2_v8"]
    build = tmp_path / "build"
    subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DSGMV_CUDA_ARCHS=80;89;120",
                    f"-DSGMV_KERNELS={';'.join(names)}"], check=True, capture_output=True, text=True)
    done = subprocess.run(["cmake", "--build", str(build), "-j2"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    images = sorted((build / "kernels").glob("*.fatbin"))
    assert [image.name for image in images] == [f"sgmv_{op}_bf16_r16.fatbin" for op in
                                                ("expand", "fused", "gemv", "prefill")]  # a unit each
    for image in images:
        assert elf_archs(image.read_bytes()) == [80, 89, 120], image.name


# The probe builds (csrc/sgmv/probe_waits.cuh): a flag, a prefill kernel built with it, and the device symbol whose
# address the host tool sets by name: the wait stamps (benchmarks/sanitize/wait_stamps.py) on the 16-row tile, the
# timeline (benchmarks/probe_timeline.py) on the 64-row tile, whose stages need the 1024-byte alignment the timeline's
# counts in static shared memory must keep.
PROBES = {"SGMV_PROBE_WAITS": ("sgmv_prefill_bf16_r16_hany_w11m16n256u1_v8", b"sgmv_probe_stamps"),
          "SGMV_PROBE_TIMELINE": ("sgmv_prefill_bf16_r16_hany_w11m64n128u1_v8", b"sgmv_probe_timeline")}


@pytest.mark.parametrize("flag", PROBES)
def test_more_nvcc_flags_build_the_probes(tmp_path, flag):
    """SGMV_NVCC_FLAGS reaches every unit's nvcc: -DSGMV_PROBE_WAITS gives the prefill kernel its wait stamps and
    -DSGMV_PROBE_TIMELINE its timeline, whose pointer the host sets by name."""
    name, symbol = PROBES[flag]
    build, prefix = tmp_path / "build", tmp_path / "install"
    subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build), "-DSGMV_CUDA_ARCHS=90", f"-DSGMV_KERNELS={name}",
                    f"-DSGMV_NVCC_FLAGS=-D{flag} -lineinfo", f"-DCMAKE_INSTALL_PREFIX={prefix}"],
                   check=True, capture_output=True, text=True)
    subprocess.run(["cmake", "--build", str(build), "-j2"], check=True, capture_output=True, text=True)
    subprocess.run(["cmake", "--install", str(build)], check=True, capture_output=True, text=True)
    image = (prefix / "sgmv" / "kernels" / "sgmv_prefill_bf16_r16.fatbin").read_bytes()
    assert symbol + b"\0" in image


def test_the_installed_kernels_have_no_probes():
    """The shipped build (no SGMV_NVCC_FLAGS) compiles the stamps and the timeline to nothing."""
    from sgmv import manifest
    images = list(manifest.KERNEL_DIR.glob("sgmv_prefill_*.fatbin"))
    if not images:
        pytest.skip("no installed prefill kernels (pip install .)")
    assert not any(symbol in image.read_bytes() for image in images for _, symbol in PROBES.values())
