"""The build's manifest: which kernels were compiled, for which architectures, with which ABI."""
from __future__ import annotations

import dataclasses
import functools
import json
import pathlib
from typing import Callable

from . import _abi
from .errors import DriverError

KERNEL_DIR = pathlib.Path(__file__).resolve().parent / "kernels"


@dataclasses.dataclass(frozen=True)
class KernelRecord:
    """A compiled kernel, as codegen's KernelSpec described it (see codegen/spec.py)."""

    name: str
    unit: str  # the compile unit whose fatbin holds it (codegen's KernelSpec.unit)
    op: str
    dtype: str
    rank: int  # 0 = any rank
    hidden: int  # 0 = any hidden size
    warps: int
    warp_rows: int
    tile_n: int
    unroll: int
    vectorized: bool
    threads: int
    smem_bytes: int
    chunk: int  # reduction elements one warp consumes per step
    pipelined: bool = False  # expand: a block streams SgmvParams.col_tiles_per_block column tiles
    narrow: bool = False  # expand: 8-row tiles with the MMA's operands swapped (expand_narrow.cuh)
    true_ranks: bool = False  # prefill: the variant for calls with the adapters' true ranks (prefill.cuh's kTrueRanks);
    # fused: the variant for calls whose B rows are narrower than its rank (fused.cuh's kTrueRanks)
    blocks_per_sm: int = 1  # prefill: the blocks an SM holds at once (its launch bounds; one_launch.prefers_prefill)
    stages: int = 0  # prefill: its shared-memory stages (codegen's KernelSpec.stages; one_launch._short_tile)
    flat_tiles: bool = False  # fused: the variant for the grid handoff with the batch's row tiles numbered flat
    # (fused.cuh's kFlat; dispatch.handoff_flat)
    tile_barrier: bool = False  # fused: the variant whose blocks wait for their own row tile's only (fused.cuh's
    # kTileBarrier; dispatch.wants_tile_barrier)
    gemv_cluster: int = 0  # gemv: the blocks of a segment's cluster (gemv.cuh's kCluster; codegen's KernelSpec)
    occupancy_cap: int = 0  # blocks an SM the loader lets the driver place at once, 0: no cap (codegen's KernelSpec)
    phase: str = ""  # prefill: "" (add_lora), "shrink" or "expand": the standalone op's half (prefill.cuh's kPhase;
    # prefill_phases.py)
    packed: bool = False  # fused: the variant for packed calls, a pair of slices a part of grid x (fused.cuh's
    # kPacked; slice_calls.packed_kernel)

    @property
    def image(self) -> pathlib.Path:
        return KERNEL_DIR / f"{self.unit}.fatbin"


# ClusterCounts(kernel, cluster): clusters of `cluster` blocks of `kernel` the GPU holds at once (the driver's
# cuOccupancyMaxActiveClusters: loader.Device.resident_clusters), which the dispatch rules take where it is known.
ClusterCounts = Callable[[KernelRecord, int], int]


@dataclasses.dataclass(frozen=True)
class Manifest:
    archs: tuple[int, ...]
    kernels: tuple[KernelRecord, ...]
    nvcc_flags: str = ""  # the build's SGMV_NVCC_FLAGS: empty in a shipped build, a probe's -D... otherwise

    def runs_on(self, arch: int) -> bool:
        """Whether a GPU of compute capability `arch` (89: 8.9) runs this build's kernels: SASS built for X.y runs on
        X.z for z >= y (an sm_80 build on the A10 and L40S, sm_86 and sm_89; sm_100's on sm_103), and 90 is built as
        sm_90a, for 9.0 itself."""
        return any(built // 10 == arch // 10 and built <= arch for built in self.archs)

    def by_name(self, name: str) -> KernelRecord:
        for k in self.kernels:
            if k.name == name:
                return k
        raise KeyError(name)


def parse(data: dict) -> Manifest:
    if data.get("version") != _abi.MANIFEST_VERSION:
        raise DriverError(
            f"the compiled kernels' manifest has format {data.get('version')}, this package reads "
            f"{_abi.MANIFEST_VERSION}: rebuild the package")
    if data.get("abi") != _abi.layout():
        raise DriverError(
            "the compiled kernels were built with another SgmvParams layout than this package's "
            f"(manifest {data.get('abi')}, package {_abi.layout()}): rebuild the package")
    fields = {f.name for f in dataclasses.fields(KernelRecord)}
    kernels = tuple(KernelRecord(**{k: v for k, v in row.items() if k in fields}) for row in data["kernels"])
    return Manifest(archs=tuple(data["archs"]), kernels=kernels, nvcc_flags=data.get("nvcc_flags", ""))


@functools.lru_cache(maxsize=None)
def load() -> Manifest:
    """The installed manifest, or an empty one when the package was installed without kernels."""
    path = KERNEL_DIR / "manifest.json"
    if not path.exists():
        return Manifest(archs=(), kernels=())
    return parse(json.loads(path.read_text()))
