"""Rendering specs through the Jinja templates, and writing the build directory."""
from __future__ import annotations

import functools
import importlib.util
import json
import pathlib
from typing import Iterable, Sequence

import jinja2

from .spec import KernelSpec, arch_ok

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
ABI_MODULE = ROOT / "python" / "sgmv" / "_abi.py"


@functools.lru_cache(maxsize=None)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.lru_cache(maxsize=None)
def _abi():
    """The package's _abi module (the argument struct, the manifest's version), loaded without importing sgmv."""
    module_spec = importlib.util.spec_from_file_location("_sgmv_abi", ABI_MODULE)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def abi_layout() -> dict:
    """The argument struct layout, from the package's ctypes definition."""
    return _abi().layout()


def render(spec: KernelSpec) -> str:
    return _environment().get_template(spec.template).render(spec=spec, abi=abi_layout())


def write_if_changed(path: pathlib.Path, text: str) -> bool:
    """Write `text` unless the file already holds it (keeps rebuilds incremental). True if written."""
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def parse_archs(archs: str | Sequence[int]) -> list[int]:
    if isinstance(archs, str):
        values = [a.strip() for a in archs.replace(",", ";").split(";") if a.strip()]
        try:
            parsed = [int(a.removeprefix("sm_").removesuffix("-real")) for a in values]
        except ValueError:
            raise ValueError(f"SGMV_CUDA_ARCHS={archs!r} is not a list of compute capabilities like '90' or '80;90'")
    else:
        parsed = [int(a) for a in archs]
    if not parsed:
        raise ValueError("SGMV_CUDA_ARCHS is empty; give at least one architecture, e.g. '90'")
    bad = [a for a in parsed if not arch_ok(a)]
    if bad:
        raise ValueError(f"SGMV_CUDA_ARCHS has {bad}: the kernels use sm_80 tensor-core instructions (need >= 80)")
    return sorted(set(parsed))


def manifest(specs: Iterable[KernelSpec], archs: Sequence[int], nvcc_flags: str = "") -> dict:
    return {
        "version": _abi().MANIFEST_VERSION,
        "archs": list(archs),
        "nvcc_flags": nvcc_flags,  # SGMV_NVCC_FLAGS: empty in a shipped build, a probe's -D... otherwise
        "abi": abi_layout(),
        "kernels": [spec.manifest_row() for spec in specs],
    }


def units(specs: Iterable[KernelSpec]) -> dict[str, list[str]]:
    """Kernel names by compile unit (KernelSpec.unit), in the specs' order."""
    grouped: dict[str, list[str]] = {}
    for spec in specs:
        grouped.setdefault(spec.unit, []).append(spec.name)
    return grouped


def render_unit(unit: str, names: Sequence[str]) -> str:
    return _environment().get_template("unit.cu.j2").render(unit=unit, names=names)


def generate(out_dir: pathlib.Path, specs: Sequence[KernelSpec], archs: Sequence[int],
             nvcc_flags: str = "") -> list[str]:
    """Render every spec and every compile unit into out_dir (removing stale sources) and write manifest.json (with
    the build's extra nvcc flags, so an installation tells a probe build from a shipped one) and units.txt (a line a
    unit: its name, then its kernels' names; CMake compiles a fatbin a unit)."""
    if not specs:
        raise ValueError("no kernel matches SGMV_KERNELS; `python -m codegen list` shows the names")
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [spec.name for spec in specs]
    for spec in specs:
        write_if_changed(out_dir / f"{spec.name}.cu", render(spec))
    grouped = units(specs)
    for unit, members in grouped.items():
        write_if_changed(out_dir / f"{unit}.cu", render_unit(unit, members))
    for stale in set(p.stem for p in out_dir.glob("*.cu")) - set(names) - set(grouped):
        (out_dir / f"{stale}.cu").unlink()
    write_if_changed(out_dir / "manifest.json", json.dumps(manifest(specs, archs, nvcc_flags), indent=1) + "\n")
    write_if_changed(out_dir / "units.txt",
                     "".join(f"{unit} {' '.join(members)}\n" for unit, members in grouped.items()))
    return names
