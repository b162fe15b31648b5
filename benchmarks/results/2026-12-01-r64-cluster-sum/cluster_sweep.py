"""NOTES entry 132: dispatch_sweep with the cluster sum offered to ranks 32-64 (FUSED_MAX_RANK, HANDOFF_MIN_RANK
swept together), only to the fused kernels that carry it (codegen's KernelSpec.cluster_sum: every kernel up to
rank 32, and the one-32-column-tile-a-warp kernels up to rank 64; the manifest does not record it, so it is
rebuilt here from the tile's shape). Arguments as benchmarks/dispatch_sweep.py's."""
import runpy
import sys

from sgmv import dispatch

shipped_rule = dispatch._cluster_sum_fits


def carries_cluster_sum(kernel) -> bool:
    return kernel.rank <= 32 or (kernel.tile_n // kernel.warps == 32 and kernel.rank <= 64)


dispatch._cluster_sum_fits = lambda problem, kernel: carries_cluster_sum(kernel) and shipped_rule(problem, kernel)
sys.argv = ["dispatch_sweep.py", *sys.argv[1:]]
runpy.run_path("benchmarks/dispatch_sweep.py", run_name="__main__")
