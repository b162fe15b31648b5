"""The kernels dispatch picks for every add_lora case of the quick and full sweeps, both dtypes, a line each
("DTYPE CASE KERNELS", as the bench's kernels column names them): how a change to dispatch was checked on the CPU
against the sweeps before and after (benchmarks/NOTES.md, entries 139-146). Run it on two trees and diff:

    PYTHONPATH=OLD python benchmarks/dispatch_picks.py --manifest=M > old.txt
    PYTHONPATH=python python benchmarks/dispatch_picks.py --manifest=M > new.txt; diff old.txt new.txt

--manifest: a kernels manifest.json (e.g. from an unzipped wheel: sgmv/kernels/manifest.json), where the tree on
PYTHONPATH has no compiled kernels of its own (python/); default: the installed package's. No GPU: 132 SMs, and each
kernel's blocks an SM as its launch bounds and registers allow (resident_blocks, below) and the H200's clusters
(resident_clusters), the same on both sides. --launches: each prefill and gemv kernel's launch too (`NAME@CxG`:
clusters of C blocks, G of them), so a change that moves only a launch shows (entry 324's clusters of four did).
"""
import json
import pathlib
import sys

import torch

from sgmv import manifest
from sgmv.bench import run
from sgmv.bench.cases import sweep
from sgmv.errors import UnsupportedError
from sgmv.manifest import KernelRecord

NUM_SMS = 132
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def resident_blocks(kernel: KernelRecord) -> int:
    """Blocks of `kernel` an SM holds, as the driver's occupancy would report it on an H200: the prefill kernel's
    launch bounds; the fused kernel's 4-warp tiles two where their registers (at most 255 a thread) allow, and three
    for the rank 8-16 flat twins, which no occupancy_cap holds (the driver's count: the s307 record ran them at skewed
    bs64 where this model had given two and the 8-warp twin or the pair, NOTES entry 309)."""
    if kernel.op == "fused":
        if kernel.warps == 4 and kernel.flat_tiles and not kernel.occupancy_cap and kernel.rank <= 16:
            return 3
        return max(1, min(2, 65536 // (kernel.threads * 255))) if kernel.warps == 4 else 1
    return kernel.blocks_per_sm


# Clusters of C blocks of the gemv kernels the H200 holds at once, by (warps, C) (the driver's
# cuOccupancyMaxActiveClusters, NOTES.md entries 242, 245 and 246): of one-block-an-SM blocks fewer than 132 / C, as its
# GPCs' SMs do not divide by C; the 4-warp blocks fit two an SM.
H200_RESIDENT_CLUSTERS = {(8, 2): 66, (8, 4): 30, (8, 8): 15, (4, 2): 132, (4, 4): 62, (4, 8): 30}
H200_RESIDENT_CLUSTERS_BY_RANK = {(8, 4, 8): 45}  # (rank, warps, C) where it differs: rank 8's 4-warp clusters of 8
# (146 registers a thread: three blocks an SM; entry 306)


# Clusters of C blocks of the prefill kernels the H200 holds at once, by C, one block an SM: the driver's count for
# every 64-row tile's kernel (NOTES.md, entry 322); the 16-row tile's one-block kernels' clusters of 2 the same (the
# rules count at most 132 / C clusters of those in any case: one_launch.prefill_clusters_held). A kernel of two
# blocks an SM holds twice the pairs: each SM a pair of its own.
H200_PREFILL_RESIDENT_CLUSTERS = {2: 66, 4: 30, 8: 15}


def resident_clusters(kernel: KernelRecord, cluster: int) -> int:
    """Clusters of `cluster` blocks of `kernel` the GPU holds at once, as the driver reports it on an H200."""
    if kernel.op == "prefill":
        return H200_PREFILL_RESIDENT_CLUSTERS[cluster] * (kernel.blocks_per_sm if cluster == 2 else 1)
    return H200_RESIDENT_CLUSTERS_BY_RANK.get((kernel.rank, kernel.warps, cluster),
                                              H200_RESIDENT_CLUSTERS[kernel.warps, cluster])


def picks(launches: bool = False) -> list[str]:
    """A line a dtype and case of both sweeps: the kernels (launches: with each prefill and gemv kernel's clusters,
    run.kernels_for's), or `none: ...` where no kernel runs it."""
    cases = {c.name: c for quick in (True, False) for c in sweep(quick)}
    lines = []
    for dt, dtype in DTYPES.items():
        for name, case in sorted(cases.items()):
            try:
                kernels = run.kernels_for(case, dtype, "add_lora", 90, NUM_SMS, resident_blocks, resident_clusters,
                                          launches)
            except UnsupportedError as err:
                kernels = f"none: {err}"
            lines.append(f"{dt} {name} {kernels}")
    return lines


if __name__ == "__main__":
    flags = dict(a.split("=", 1) for a in sys.argv[1:] if a.startswith("--manifest="))
    if "--manifest" in flags:
        loaded = manifest.parse(json.loads(pathlib.Path(flags["--manifest"]).read_text()))
        run.load_manifest = lambda: loaded  # kernels_for's kernels
    print("\n".join(picks("--launches" in sys.argv[1:])))
