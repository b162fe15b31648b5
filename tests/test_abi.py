"""The argument struct: the ctypes definition, the C++ header and the manifest agree (no GPU needed)."""
import ctypes
import pathlib
import re

import pytest

from codegen.render import abi_layout
from sgmv import _abi, manifest
from sgmv.errors import DriverError

ROOT = pathlib.Path(__file__).resolve().parent.parent
CTYPES_TO_CPP = {ctypes.c_void_p: ("void*", "float*", "int32_t*"), ctypes.c_int64: ("int64_t",), ctypes.c_int32: ("int32_t",),
                 ctypes.c_float: ("float",)}


def _cpp_fields(struct: str):
    body = (ROOT / "csrc" / "sgmv" / "params.cuh").read_text().split(f"struct {struct} {{")[1].split("};")[0]
    fields = []
    for line in body.splitlines():
        m = re.match(r"\s*(?:const\s+)?([\w:]+\s*\*?)\s*(\w+)(\[kMaxSlices\])?;", line)
        if m:
            fields.append((m.group(1).replace(" ", ""), m.group(2)))
    return fields


@pytest.mark.parametrize("struct", [_abi.SgmvParams, _abi.SgmvSlice], ids=lambda s: s.__name__)
def test_cpp_header_matches_ctypes(struct):
    cpp = _cpp_fields(struct.__name__)
    py = struct._fields_
    assert [name for _, name in cpp] == [name for name, _ in py]
    types = {**CTYPES_TO_CPP, _abi.SgmvSlice * _abi.MAX_SLICES: ("SgmvSlice",)}
    for (cpp_type, name), (_, ctype) in zip(cpp, py):
        assert cpp_type in types[ctype], f"{name}: C++ {cpp_type} vs ctypes {ctype.__name__}"


def test_layout_is_packed_as_cpp_would():
    layout = _abi.layout()
    assert layout["slice"]["size"] == 48 and layout["slice"]["fields"][-1] == ["reserved", 44]
    # an explicit int32 `reserved` keeps the slices 8-byte aligned
    assert layout["size"] == 152 + _abi.MAX_SLICES * 48 and layout["fields"][-1] == ["slices", 152]
    assert abi_layout() == layout  # what the generator bakes into the static_asserts


def test_manifest_rejects_another_layout_or_format():
    bad = {"version": _abi.MANIFEST_VERSION, "archs": [90], "abi": {"size": 8, "fields": [["x", 0]]}, "kernels": []}
    with pytest.raises(DriverError, match="another SgmvParams layout"):
        manifest.parse(bad)
    old = {"version": 1, "archs": [90], "abi": _abi.layout(), "kernels": []}  # rows without their unit
    with pytest.raises(DriverError, match="manifest has format 1, this package reads 2: rebuild"):
        manifest.parse(old)


def test_manifest_of_a_build_before_its_nvcc_flags_were_recorded_parses_as_a_shipped_one():
    older = {"version": _abi.MANIFEST_VERSION, "archs": [90], "abi": _abi.layout(), "kernels": []}
    assert manifest.parse(older).nvcc_flags == ""


def test_generated_manifest_carries_what_dispatch_reads():
    """Every spec's flags that dispatch selects by (pipelined, narrow) reach its KernelRecord."""
    from codegen import spec as specmod
    from codegen.render import manifest as generated
    specs = list(specmod.default_specs())
    parsed = manifest.parse(generated(specs, [90]))
    assert [k.name for k in parsed.kernels] == [s.name for s in specs]
    assert any(k.narrow for k in parsed.kernels) and any(k.pipelined for k in parsed.kernels)
    for record, spec in zip(parsed.kernels, specs):
        assert (record.narrow, record.pipelined) == (spec.narrow, spec.pipelined), spec.name


def test_installed_manifest_parses():
    m = manifest.load()
    for k in m.kernels:
        assert k.image.name == f"{k.unit}.fatbin" and k.name.startswith(k.unit)


def test_cluster_sizes_fit_the_kernels():
    """The kernels sum at most kMaxCluster blocks' partial tiles (a larger cluster would silently drop some):
    dispatch's cluster sizes must not exceed it."""
    from sgmv import dispatch, launch_plan, one_launch
    text = (ROOT / "csrc" / "sgmv" / "fragments.cuh").read_text()
    limit = int(re.search(r"constexpr int kMaxCluster = (\d+);", text).group(1))
    fused = (ROOT / "csrc" / "sgmv" / "fused.cuh").read_text()
    assert "kMaxBlocks = kMaxCluster" in fused
    assert launch_plan.MAX_CLUSTER <= limit and dispatch.FUSED_CLUSTER <= limit
    prefill = (ROOT / "csrc" / "sgmv" / "prefill.cuh").read_text()  # a tile's blocks swap v pairwise, in rounds
    tall, short = map(int, re.search(r"constexpr int kMaxCluster = kGroups == 4 \? (\d+) : (\d+);", prefill).groups())
    assert short == one_launch.PREFILL_MAX_CLUSTER == 2
    assert tall == one_launch.PREFILL_TALL_MAX_CLUSTER == 8
    assert "kSwapRounds = kMaxCluster == 8 ? 3 : kMaxCluster == 4 ? 2 : 1;" in prefill


def test_handoff_workspace_layout_matches_the_kernel():
    """cuda_ops sizes the grid handoff's workspace from dispatch's constants; handoff.cuh reads it with its own."""
    from sgmv import dispatch
    text = (ROOT / "csrc" / "sgmv" / "handoff.cuh").read_text()
    header = int(re.search(r"constexpr int kHandoffHeaderFloats = (\d+);", text).group(1))
    assert header == dispatch.HANDOFF_HEADER_FLOATS
    assert dispatch.HANDOFF_BUFFER_FLOATS % 4 == 0  # zeroed and read in 16-byte pieces
    tiles = int(re.search(r"constexpr int kHandoffMaxTiles = (\d+);", text).group(1))
    pitch = int(re.search(r"constexpr int kHandoffTilePitch = (\d+);", text).group(1))
    assert (tiles, pitch) == (dispatch.HANDOFF_MAX_TILES, dispatch.HANDOFF_TILE_PITCH)
    assert pitch * 4 >= 128  # each row tile's counter in a line of its own


@pytest.mark.parametrize("archs, gpu, runs", [
    ((90,), 90, True), ((80,), 86, True), ((80,), 89, True), ((80, 90), 89, True), ((89,), 86, False),
    ((90,), 89, False), ((80, 90), 100, False), ((100,), 103, True), ((120,), 121, True), ((100, 120), 110, False),
    ((), 90, False)])
def test_a_build_runs_on_its_architectures_and_later_minor_ones_of_the_same_major(archs, gpu, runs):
    """SASS for X.y runs on X.z, z >= y: the loader (and `sgmv info`) accept an sm_80 build on an L40S (8.9), not an
    sm_89 build on an A10 (8.6) or any build on another major version."""
    assert manifest.Manifest(archs=archs, kernels=()).runs_on(gpu) is runs
