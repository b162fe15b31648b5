"""benchmarks/wheel_xz.py, the wheels a device call carries: what it packs comes back byte for byte, and a folder
with nothing to pack or unpack fails by name instead of installing nothing."""
import pathlib
import subprocess
import sys
import zipfile

import pytest

TOOL = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "wheel_xz.py"


def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True)


def _wheel(folder: pathlib.Path, payload: bytes) -> pathlib.Path:
    folder.mkdir()
    wheel = folder / "sgmv-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sgmv/kernels/a.fatbin", payload)
        zf.writestr("sgmv/__init__.py", "x = 1\n")
    return wheel


def _members(wheel: pathlib.Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("builds", [1, 2])
def test_what_it_packs_comes_back(tmp_path, builds):
    dists = [tmp_path / f"dist_{i}" for i in range(builds)]
    wheels = [_wheel(d, bytes(range(256)) * (i + 3)) for i, d in enumerate(dists)]
    packed, root = tmp_path / "packed", tmp_path / "root"
    assert _tool("pack", ",".join(map(str, dists)), packed).returncode == 0
    out = _tool("unpack", packed, root if builds > 1 else root / "dist_0")
    assert out.returncode == 0, out.stderr
    for dist, wheel in zip(dists, wheels):
        assert _members(root / dist.name / wheel.name) == _members(wheel)


def test_unpacking_a_folder_that_holds_nothing_fails_by_name(tmp_path):
    out = _tool("unpack", tmp_path / "not_carried", tmp_path / "root")
    assert out.returncode != 0 and "not_carried" in out.stderr
    assert not (tmp_path / "root").exists()


def test_packing_a_folder_without_wheels_fails_before_writing(tmp_path):
    _wheel(tmp_path / "dist_a", b"abc")
    (tmp_path / "dist_b").mkdir()
    out = _tool("pack", f"{tmp_path / 'dist_a'},{tmp_path / 'dist_b'}", tmp_path / "packed")
    assert out.returncode != 0 and "dist_b" in out.stderr
    assert not (tmp_path / "packed").exists()
