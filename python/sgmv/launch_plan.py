"""How a chosen kernel is launched (plan): its grid, split of the shrink's reduction, clusters and the tiles each
block takes, from host-known shapes alone (dispatch.py decides which kernel runs a problem).

`plan` is a pure function of shapes: it is unit-tested without a GPU and never looks at device values, so ops
stay free of host synchronization.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Optional

from . import dispatch, one_launch  # their rules and constants read at each call, so that tools and tests may set them
from .dispatch import MAX_GRID_YZ, Problem
from .errors import UnsupportedError
from .manifest import ClusterCounts, KernelRecord

SPLIT_WAVES = 3  # split the shrink's reduction until about this many blocks per SM have work
SPLIT_ONE_WAVE = 1  # ... but to no more blocks than the SMs hold at once (benchmarks/NOTES.md, entry 14)
SPLIT_ROUND_UP_PERCENT = 75  # splits round up to whole clusters while the launch takes at most this share of one
# wave, else down: the rest is room for the expand's early (PDL) blocks (benchmarks/NOTES.md, entry 16)
PARTIAL_FLOATS = 1 << 18  # partial-sum slices may always take this many floats (1 MiB)
PARTIAL_SLICES = 4  # ... or this many times the float32 intermediate T x r
MAX_ATOMIC_SPLITS = 64  # standalone shrink: splits add into v atomically
# Cluster sizes may not exceed csrc's kMaxCluster: the kernels sum at most that many blocks' partial tiles
# (tests/test_abi.py checks it).
MAX_CLUSTER = 8  # portable thread-block cluster size (sm_90): splits reduced on chip into one slice
MAX_PARTIAL_SLICES = 8  # every expand block sums the slices it reads (one batch of loads): keep them few


@dataclasses.dataclass(frozen=True)
class Launch:
    grid: tuple[int, int, int]
    threads: int
    smem_bytes: int
    k_splits: int  # shrink: splits of the h_in reduction
    cluster: int = 1  # blocks per thread-block cluster along grid y: the shrink's consecutive splits (partial
    # slices), the fused kernel's blocks that split h_in, the prefill kernel's blocks that share a row tile, or the
    # gemv kernel's blocks of a segment
    tile_begins: tuple[int, ...] = (0,)  # expand: first column tile (grid y) of each output slice
    flat: bool = False  # grid z numbers the batch's row tiles over all segments (SgmvParams::flat_tiles)
    col_tiles_per_block: int = 1  # pipelined expand: consecutive column tiles (grid y) per block
    handoff: bool = False  # fused: the grid handoff (SgmvParams::handoff), launched without clusters

    @property
    def partial_slices(self) -> int:
        """Partial of v the shrink writes (partial mode) and the expand sums."""
        return self.k_splits // self.cluster


def _flat_slots(problem: Problem, kernel: KernelRecord) -> int:
    """Grid z of a flat launch (every row tile of the batch its own block, segments found on the device by
    locate_tile), or 0 to keep per-segment row groups. Flat when a segment may be longer than the mean-sized
    groups serve in parallel: the longest segment is unknown (rows in any order, device-built batches) or
    known to be longer (skewed popularity: benchmarks/NOTES.md, entry 10). The slots bound the tile count
    (dispatch.tile_slots)."""
    if problem.num_segments <= 1:
        return 0
    longest_tiles = math.ceil(problem.max_segment_rows / kernel.warp_rows)
    if problem.max_segment_rows >= 0 and longest_tiles <= dispatch.row_groups(problem, kernel):
        return 0
    slots = dispatch.tile_slots(problem, kernel)
    return slots if slots <= MAX_GRID_YZ else 0


def _busy_tiles(problem: Problem, kernel: KernelRecord, groups: int) -> int:
    """An estimate of the row tiles that have work: at most one partial tile per segment more than T / tile."""
    return min(problem.num_segments * groups, math.ceil(problem.num_rows / kernel.warp_rows) + problem.num_segments)


def k_splits_cap(problem: Problem) -> int:
    """Most partial slices of v that the add_lora workspace may hold (DESIGN.md: workspace of order T x r)."""
    per_slice = max(1, problem.num_rows * problem.rank * problem.num_slices)
    return min(MAX_PARTIAL_SLICES, max(PARTIAL_SLICES, PARTIAL_FLOATS // per_slice))


def _largest_power_of_two(n: int) -> int:
    return 1 << (max(1, n).bit_length() - 1)


def plan(problem: Problem, kernel: KernelRecord, num_sms: int, partial: bool = False,
         clusters: bool = False, resident_blocks: int = 0,
         resident_clusters: Optional[ClusterCounts] = None) -> Launch:
    """Grid and split-K for `kernel` on `problem`, from shapes alone.

    partial: the shrink stores partial slices of v (add_lora) instead of adding into a zeroed v;
    clusters: thread-block clusters are available (sm_90), so up to MAX_CLUSTER splits share one slice;
    resident_blocks: blocks of `kernel` one SM holds at once (the driver's occupancy), 0 if unknown;
    resident_clusters(kernel, cluster): clusters of it the GPU holds at once (the driver's), None if unknown.
    """
    cluster = 1
    groups = dispatch.row_groups(problem, kernel)
    if problem.op == "prefill":  # persistent clusters (grid x) of blocks sharing a tile (grid y): every row tile,
        # at most what the SMs hold at once
        if not clusters:
            raise UnsupportedError(f"{kernel.name} needs sm_90 or newer (its barriers' waits)")
        cluster = one_launch.prefill_cluster(problem, kernel, num_sms, launched=True,
                                             resident_clusters=resident_clusters)
        walkers = min(dispatch.tile_slots(problem, kernel), one_launch.prefill_clusters_held(
            kernel, cluster, num_sms, resident_clusters, max(1, resident_blocks)))
        return Launch(grid=(walkers, cluster, 1), threads=kernel.threads, smem_bytes=kernel.smem_bytes, k_splits=1,
                      cluster=cluster)
    if problem.op == "gemv":  # a cluster (grid y) of blocks a segment (grid x)
        if not clusters:
            raise UnsupportedError(f"{kernel.name} needs thread-block clusters (sm_90 or newer)")
        return Launch(grid=(max(1, problem.num_segments), kernel.gemv_cluster, 1), threads=kernel.threads,
                      smem_bytes=kernel.smem_bytes, k_splits=1, cluster=kernel.gemv_cluster)
    flat = _flat_slots(problem, kernel) if problem.op != "fused" else 0
    if problem.op == "fused":
        if not clusters:
            raise UnsupportedError(f"{kernel.name} needs thread-block clusters (sm_90 or newer)")
        if dispatch.uses_handoff(problem, kernel):
            grid = dispatch.handoff_grid(problem, kernel, num_sms, resident_blocks)
            if grid is None:
                raise UnsupportedError(
                    f"{kernel.name} with the grid handoff: {problem.num_segments} segments of up to "
                    f"{problem.longest_segment_bound} rows need "
                    f"more blocks than {min(dispatch.HANDOFF_MAX_BLOCKS, num_sms)}, or v more than "
                    f"{dispatch.HANDOFF_BUFFER_FLOATS} floats")
            return Launch(grid=grid, threads=kernel.threads, smem_bytes=kernel.smem_bytes, k_splits=1, handoff=True,
                          flat=kernel.flat_tiles)
        if kernel.flat_tiles or kernel.tile_barrier:
            raise UnsupportedError(f"{kernel.name} runs only with the grid handoff, which is off (SGMV_GRID_HANDOFF)")
        grid = dispatch.fused_grid(problem, kernel)
        if grid[1] > MAX_GRID_YZ:
            raise UnsupportedError(
                f"h_out={problem.slice_hidden[0]} needs {grid[1]} column tiles; at most {MAX_GRID_YZ}")
        return Launch(grid=grid, threads=kernel.threads, smem_bytes=kernel.smem_bytes, k_splits=1,
                      cluster=dispatch.FUSED_CLUSTER)
    if problem.op == "shrink":
        n_chunks = 1 if kernel.rank else math.ceil(problem.rank / kernel.tile_n)
        busy = (flat or _busy_tiles(problem, kernel, groups)) * n_chunks * problem.num_slices
        chunks = math.ceil(problem.hidden / kernel.chunk)
        # A split is at least one full unrolled step of every warp: smaller ones cost more in blocks and
        # reductions than they add in parallelism (run 10 in benchmarks/NOTES.md).
        per_step = kernel.warps * kernel.unroll  # chunks a block reduces per unrolled step of every warp
        max_splits = max(1, min(chunks // per_step, MAX_GRID_YZ // n_chunks))
        wanted = max(1, math.ceil(SPLIT_WAVES * num_sms / busy))
        one_wave = SPLIT_ONE_WAVE and resident_blocks > 0
        if one_wave:  # never more blocks than the GPU holds at once: a second, partial wave costs a whole one
            wanted = min(wanted, max(1, resident_blocks * num_sms // busy))
        # The fewest splits with the same steps per block: more would add blocks and partial slices, not speed.
        steps = max(1, math.ceil(chunks / (min(wanted, max_splits) * per_step)))  # h_in = 0: one empty split
        wanted = max(1, math.ceil(chunks / (steps * per_step)))
        if not partial:
            k_splits = min(wanted, max_splits, MAX_ATOMIC_SPLITS)
        else:
            if clusters:
                cluster = _largest_power_of_two(min(MAX_CLUSTER, wanted, max_splits))
            slices_cap = max(1, min(MAX_PARTIAL_SLICES, k_splits_cap(problem), max_splits // cluster))
            # Whole clusters: rounding down doubled the steps per block of h_in = 14336 at r8-r16 (448 chunks,
            # 14 splits wanted, 8 taken: 1.16-1.22x slower); rounding up to a nearly full wave cost r64 as much.
            per_cluster = math.ceil(wanted / cluster)
            if one_wave and 100 * cluster * per_cluster * busy > SPLIT_ROUND_UP_PERCENT * resident_blocks * num_sms:
                per_cluster = wanted // cluster
            k_splits = cluster * max(1, min(slices_cap, per_cluster))
        # Output slices are the fastest grid dimension: their blocks for one row tile of x run together.
        grid = ((1 if flat else problem.num_segments) * problem.num_slices, k_splits * n_chunks, flat or groups)
        return Launch(grid=grid, threads=kernel.threads, smem_bytes=kernel.smem_bytes, k_splits=k_splits,
                      cluster=cluster, flat=bool(flat))
    tiles = [math.ceil(h / kernel.tile_n) for h in problem.slice_hidden]
    tile_begins = tuple(itertools.accumulate([0] + tiles[:-1]))
    if sum(tiles) > MAX_GRID_YZ:
        raise UnsupportedError(f"h_out={problem.slice_hidden} needs {sum(tiles)} column tiles; at most {MAX_GRID_YZ}")
    per_block = 1
    if kernel.pipelined:
        per_block = col_tiles_per_block(sum(tiles), _busy_tiles(problem, kernel, groups), num_sms)
    grid = (1 if flat else problem.num_segments, math.ceil(sum(tiles) / per_block), flat or groups)
    return Launch(grid=grid, threads=kernel.threads, smem_bytes=kernel.smem_bytes, k_splits=1,
                  tile_begins=tile_begins, flat=bool(flat), col_tiles_per_block=per_block)


# The first kernel of add_lora reads the batch tables before its programmatic-launch wait when no kernel writes
# them (SgmvParams::tables_ready, overlap.cuh): one dependent load off the chain of a small launch. A launch of
# more than EARLY_TABLES_MAX_BLOCKS blocks waits first, as for device-built tables (benchmarks/NOTES.md, entry 27).
EARLY_TABLES_MAX_BLOCKS = 512


def reads_tables_early(launch: Launch) -> bool:
    """Whether add_lora's first kernel, launched as `launch`, reads tables it may trust before its wait."""
    return math.prod(launch.grid) <= EARLY_TABLES_MAX_BLOCKS


# Pipelined expand blocks (expand.cuh): each streams enough column tiles of one row tile that the launch has
# about PIPELINE_BLOCKS_PER_SM blocks per SM (about what stays resident: 70-107 KB of stages each). From
# benchmarks/dispatch_sweep.py (NOTES.md, entry 12): 2 beat 1 and 4 (and no pipelining) on every prefill case.
PIPELINE_BLOCKS_PER_SM = 2


def col_tiles_per_block(col_tiles: int, row_tiles: int, num_sms: int) -> int:
    """Column tiles each pipelined expand block streams: the launch's col_tiles x row_tiles tiles shared by
    about PIPELINE_BLOCKS_PER_SM blocks per SM, at least one tile each and at most a row tile's all."""
    return max(1, min(col_tiles, math.ceil(col_tiles * row_tiles / (PIPELINE_BLOCKS_PER_SM * num_sms))))
