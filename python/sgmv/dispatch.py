"""What was asked (Problem) and which kernel runs it: the shrink-expand pair's kernels (select) and add_lora's
one-launch kernels (one_launch_kernel, rank_split, padded_prefill); launch_plan.py plans how a chosen kernel is
launched.

The rules are pure functions of host-known shapes: they are unit-tested without a GPU, and they never look at
device values, so ops stay free of host synchronization.
"""
from __future__ import annotations

import dataclasses
import math
import os
from typing import Callable, Iterable, Optional, Sequence

import torch

from .errors import UnsupportedError
from .manifest import KernelRecord

DTYPE_NAMES = {torch.float16: "fp16", torch.bfloat16: "bf16"}
VECTOR_BYTES = 16
MAX_GRID_YZ = 65535
FUSED_CLUSTER = 8  # the fused kernel's cluster: its blocks split h_in (16, non-portable, measured slower);
# at most csrc's kMaxCluster, as launch_plan.MAX_CLUSTER (tests/test_abi.py checks both)


def _aligned(*tensors_and_strides) -> bool:
    """True if every (tensor, element strides...) has a 16-byte aligned base and 16-byte strides."""
    for tensor, *strides in tensors_and_strides:
        es = tensor.element_size()
        if tensor.data_ptr() % VECTOR_BYTES or any((s * es) % VECTOR_BYTES for s in strides):
            return False
    return True


@dataclasses.dataclass(frozen=True)
class Problem:
    op: str  # "shrink", "expand", "fused" (add_lora in one launch) or "prefill" (the same, streamed: long segments
    # or many short segments)
    dtype: str  # "fp16" or "bf16"
    rank: int  # the largest slice rank
    hidden: int  # h_in (shrink, fused) or the h_out every slice shares (expand); 0: the slices' h_out differ
    num_rows: int
    num_segments: int
    aligned: bool  # every row (and slice column offset) the kernel reads or writes is 16-byte aligned
    slice_hidden: tuple[int, ...] = ()  # each output slice's h_out (expand, fused) or h_in (shrink); () = (hidden,)
    slice_ranks: tuple[int, ...] = ()  # each output slice's rank; () = (rank,)
    max_segment_rows: int = -1  # the longest segment's rows when the host knows it; -1: unknown
    after_shrink: bool = False  # expand: add_lora's, launched beside its shrink (PDL), which hides its first loads
    true_ranks: bool = False  # fused and prefill: the call gives the adapters' true ranks (the prefill kernel's
    # variant for them takes it; the fused kernels take either)

    def __post_init__(self):
        if not self.slice_hidden:
            object.__setattr__(self, "slice_hidden", (self.hidden,))
        if not self.slice_ranks:
            object.__setattr__(self, "slice_ranks", (self.rank,) * len(self.slice_hidden))

    @property
    def longest_segment_bound(self) -> int:
        """Rows of the longest segment: max_segment_rows where the host knows it, else every row of the batch."""
        return self.max_segment_rows if self.max_segment_rows >= 0 else self.num_rows

    @property
    def num_slices(self) -> int:
        return len(self.slice_hidden)

    @classmethod
    def for_shrink(cls, x: torch.Tensor, lora_a: Sequence[torch.Tensor], num_segments: int,
                   max_segment_rows: int = -1) -> "Problem":
        hidden = x.shape[1]
        aligned = hidden % 8 == 0 and _aligned((x, x.stride(0)), *((a, a.stride(0), a.stride(1)) for a in lora_a))
        ranks = tuple(a.shape[1] for a in lora_a)
        return cls("shrink", DTYPE_NAMES[x.dtype], max(ranks), hidden, x.shape[0], num_segments, aligned,
                   tuple(hidden for _ in lora_a), ranks, max_segment_rows)

    @classmethod
    def for_expand(cls, y: torch.Tensor, v: torch.Tensor, lora_b: Sequence[torch.Tensor],
                   num_segments: int, max_segment_rows: int = -1, after_shrink: bool = False) -> "Problem":
        hiddens = tuple(b.shape[1] for b in lora_b)
        aligned = (all(b.shape[2] % 8 == 0 and b.shape[1] % 8 == 0 for b in lora_b) and
                   _aligned((y, y.stride(0)), (v, v.stride(0)), *((b, b.stride(0), b.stride(1)) for b in lora_b)))
        common = hiddens[0] if len(set(hiddens)) == 1 else 0
        ranks = tuple(b.shape[2] for b in lora_b)
        return cls("expand", DTYPE_NAMES[y.dtype], max(ranks), common, y.shape[0], num_segments, aligned, hiddens,
                   ranks, max_segment_rows, after_shrink)


    @classmethod
    def for_add_lora(cls, y: torch.Tensor, x: torch.Tensor, lora_a: torch.Tensor, lora_b: torch.Tensor,
                     num_segments: int, max_segment_rows: int = -1, true_ranks: bool = False) -> "Problem":
        """One output slice's whole add_lora (the fused kernel): h_in = hidden, h_out = slice_hidden[0];
        true_ranks: the call gives the adapters' true ranks."""
        shrink = cls.for_shrink(x, [lora_a], num_segments)
        aligned = shrink.aligned and lora_b.shape[1] % 8 == 0 and lora_b.shape[2] % 8 == 0 and _aligned(
            (y, y.stride(0)), (lora_b, lora_b.stride(0), lora_b.stride(1)))
        rank = lora_a.shape[1] if lora_a.shape[1] == lora_b.shape[2] else 0  # 0: no kernel runs it
        return cls("fused", shrink.dtype, rank, shrink.hidden, x.shape[0], num_segments, aligned,
                   (lora_b.shape[1],), (rank,), max_segment_rows, true_ranks=true_ranks)


# Row-tile rule, from the tile sweep in benchmarks/NOTES.md: tall tiles pay only for long segments in big
# batches (prefill); with few row tiles in all they leave SMs idle, so decode-sized batches keep 16 rows.
DECODE_ROWS, PREFILL_ROWS = 16, 32
TALL_TILE_MIN_ROWS = 2048
# The narrow expand (8-row tiles, expand_narrow.cuh) for batches of many short segments: at most
# NARROW_MAX_MEAN_ROWS rows a segment on average, and a launch of at least NARROW_MIN_BLOCKS blocks (about 2.4
# an SM of the H200's 132). From benchmarks/dispatch_sweep.py (NOTES.md, entries 20 and 22): add_lora 5-40%
# faster on distinct and skewed batches of 64-256 rows at ranks 8-16; with fewer blocks the standalone expand
# was 0.4-2.7 us slower, as its blocks live ~2 us longer (entry 25). add_lora's expand, whose first loads the
# shrink hides, takes it from NARROW_AFTER_SHRINK_MIN_BLOCKS at up to NARROW_AFTER_SHRINK_MAX_MEAN_ROWS rows a
# segment (entry 26: at 256, add_lora 0.8-2.8 us faster on such batches at h8192 and no case slower; 128 lost
# up to 1.2 us at rank 16).
NARROW_MAX_MEAN_ROWS = 8
NARROW_MIN_BLOCKS = 320
NARROW_AFTER_SHRINK_MAX_MEAN_ROWS = 4
NARROW_AFTER_SHRINK_MIN_BLOCKS = 256


def takes_narrow(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether dispatch gives `problem` to the narrow expand `kernel` (one block per segment and column tile)."""
    blocks = problem.num_segments * sum(math.ceil(h / kernel.tile_n) for h in problem.slice_hidden)
    if problem.num_rows <= NARROW_MAX_MEAN_ROWS * problem.num_segments and blocks >= NARROW_MIN_BLOCKS:
        return True
    return (problem.after_shrink and problem.num_rows <= NARROW_AFTER_SHRINK_MAX_MEAN_ROWS * problem.num_segments
            and blocks >= NARROW_AFTER_SHRINK_MIN_BLOCKS)


def _tile_fit(problem: Problem, kernel: KernelRecord) -> float:
    """Higher is better: the narrow tile where takes_narrow (never elsewhere), else the row tile closest to the
    mean rows per segment, clamped to the tiles' range."""
    if kernel.narrow:
        return 1.0 if takes_narrow(problem, kernel) else -math.inf
    mean_rows = problem.num_rows / max(1, problem.num_segments)
    tall_ok = problem.num_rows >= TALL_TILE_MIN_ROWS
    target = min(max(mean_rows, DECODE_ROWS), PREFILL_ROWS) if tall_ok else DECODE_ROWS
    return -abs(kernel.warp_rows - target) - kernel.warp_rows / 1e6  # ties go to the shorter tile


def _preference(problem: Problem, kernel: KernelRecord) -> tuple:
    return (kernel.rank != 0, kernel.hidden != 0, kernel.vectorized, _tile_fit(problem, kernel))


def can_run(problem: Problem, kernel: KernelRecord) -> bool:
    """A specialized rank serves exactly that rank: the shrink bounds lower slice ranks (and adapters' true
    ranks) at run time, while the expand bounds its loads by the rank it was compiled for, so every slice must
    have it; a specialized h_out needs every slice to have it."""
    if problem.op in ("fused", "prefill"):  # true ranks: the prefill kernel's variant for them (it runs any call)
        return (kernel.op == problem.op and kernel.dtype == problem.dtype and kernel.rank == problem.rank
                and problem.num_slices == 1 and problem.aligned
                and (problem.op == "fused" or (problem.hidden % PREFILL_H_IN_MULTIPLE == 0
                                               and (kernel.true_ranks or not problem.true_ranks))))
    rank_ok = kernel.rank == 0 or (kernel.rank == problem.rank if problem.op == "shrink"
                                   else all(r == kernel.rank for r in problem.slice_ranks))
    return (kernel.op == problem.op and kernel.dtype == problem.dtype and rank_ok
            and (kernel.hidden == 0 or kernel.hidden == problem.hidden)
            and (problem.aligned or not kernel.vectorized))


def select(problem: Problem, available: Iterable[KernelRecord]) -> KernelRecord:
    """The most specialized compiled kernel that can run `problem`."""
    available = list(available)
    fitting = [k for k in available if can_run(problem, k)]
    if not fitting:
        same_op = sorted(k.name for k in available if k.op == problem.op and k.dtype == problem.dtype)
        shown = ", ".join(same_op[:6]) + (f", ... ({len(same_op)} in all)" if len(same_op) > 6 else "")
        raise UnsupportedError(
            f"no compiled {problem.op} kernel runs {problem.dtype} r={problem.rank} "
            f"{'h_in' if problem.op == 'shrink' else 'h_out'}={problem.hidden or problem.slice_hidden} "
            f"({'aligned' if problem.aligned else 'unaligned'} rows); compiled: {shown or 'none'}. "
            "Rebuild with SGMV_KERNELS including the generic '*_rany_hany_*' kernels.")
    return max(fitting, key=lambda k: _preference(problem, k))


def row_groups(problem: Problem, kernel: KernelRecord) -> int:
    """Blocks sharing one segment's row tiles; each loops over every row_groups-th tile.

    Sized from the mean segment (T / segments rows): enough for evenly spread rows, and never a grid of idle
    blocks; a longer segment loops, which launch_plan._flat_slots avoids where it could happen.
    """
    mean_tiles = math.ceil(problem.num_rows / (kernel.warp_rows * max(1, problem.num_segments)))
    return max(1, min(mean_tiles, MAX_GRID_YZ))


def tile_slots(problem: Problem, kernel: KernelRecord) -> int:
    """At most the batch's row tiles of `kernel`: each segment adds at most one partial tile to T / tile, and only
    a segment with rows has tiles."""
    return math.ceil(problem.num_rows / kernel.warp_rows) + min(problem.num_segments, problem.num_rows)


# Fused add_lora (one launch) rule, from benchmarks/fused_sweep.py over the quick sweep (benchmarks/NOTES.md,
# entry 9): against the shrink-expand pair the fused kernel wins only at rank <= 16 and with at most 64 blocks
# (a 16-row tile per cluster, one column tile per block); with more blocks its per-cluster chain of loads,
# cluster barriers and the shrink repeated per column cluster lose to the pair, and at rank 64 it never won.
FUSED_MAX_RANK = 16
FUSED_MAX_BLOCKS = 64
FUSED_BEST_BLOCKS = 16  # of the fused tiles, the one whose launch is nearest this many blocks won every case


def fused_grid(problem: Problem, kernel: KernelRecord) -> tuple[int, int, int]:
    """Grid of a fused launch: x = segment, y = one column tile per block rounded up to whole clusters of
    FUSED_CLUSTER (a cluster's blocks split h_in, so every cluster recomputes its row tile's v), z = row group."""
    col_tiles = math.ceil(problem.slice_hidden[0] / kernel.tile_n)
    return problem.num_segments, FUSED_CLUSTER * math.ceil(col_tiles / FUSED_CLUSTER), row_groups(problem, kernel)


def fused_blocks(problem: Problem, kernel: KernelRecord) -> int:
    return math.prod(fused_grid(problem, kernel))


# The fused kernel with the grid handoff (handoff.cuh) from rank HANDOFF_MIN_RANK: launched without clusters,
# every block along grid y reduces a share of h_in and the launch's blocks sum v through a workspace in global
# memory, so a block's share of the weights shrinks with the grid instead of staying 1/FUSED_CLUSTER (what made
# the clustered kernel lose at rank 64, benchmarks/NOTES.md, entries 34 and 40). Below that rank it runs the
# batches whose cluster-sum launch would be too large (FUSED_MAX_BLOCKS: distinct bs16, bs256 at rank 16). One row
# tile a block (grid z covers the longest segment, or numbers the batch's tiles: handoff_flat); a block expands
# h_out's column tiles gridDim.y apart, at most HANDOFF_MAX_TILES_PER_BLOCK of them, their copies behind the shrink's
# loads (fused.cuh: kRing, entries 83, 88 and 104). Of the grids with up to HANDOFF_BLOCKS_PER_SM blocks an SM
# (never more than the driver says an SM holds at once: the barrier needs every block on the GPU together) and
# HANDOFF_MAX_BLOCKS per block an SM, the one with the fewest column tiles a block, then the fewest blocks; each
# block at least HANDOFF_MIN_CHUNKS 32-wide chunks of h_in, and a row tile's blocks (splits) times its rows at most
# HANDOFF_MAX_SPLIT_ROWS; v of at most HANDOFF_BUFFER_FLOATS floats (num_rows x rank). Measured with dispatch_sweep:
# splits in entry 48 (a block per chunk for one-row batches, 64 splits for 16-row tiles), tiles a block and blocks
# an SM in entry 44 (two blocks an SM took h8192 r64 identical bs256 16.8 -> 12.1 us and lost only where one an SM
# already gave every block one tile, hence fewest tiles, then fewest blocks; 4 tiles a block lost to the prefill
# kernel at h4096 distinct bs64).
HANDOFF_ENABLED = os.environ.get("SGMV_GRID_HANDOFF", "1") != "0"  # "0": never (README)
HANDOFF_MIN_RANK = 32
HANDOFF_BELOW_MIN_RANK = 1  # 0: below HANDOFF_MIN_RANK only the cluster sum (else the pair)
HANDOFF_MAX_TILES_PER_BLOCK = 2
HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK = 4  # the same above rank 64: rank 128's kernel, 128 columns a tile, took the
# full sweep's r128 batches whose grid gives 3-4 tiles a block from the two half-rank launches (or the pair) to
# 0.83-0.86x (h8192 identical bs256 21.8 -> 18.0 us, distinct bs16 29.2 -> 24.5), the others unchanged (entry 103)
HANDOFF_MAX_BLOCKS = 128
HANDOFF_BLOCKS_PER_SM = 2
HANDOFF_MIN_CHUNKS = 1
HANDOFF_MAX_SPLIT_ROWS = 1024
HANDOFF_BUFFER_FLOATS = 512 * 64  # each of the workspace's two buffers of v (cuda_ops allocates the workspace)
HANDOFF_HEADER_FLOATS = 16  # handoff.cuh's kHandoffHeaderFloats: the arrival counter before the buffers
HANDOFF_FLAT = 1  # 0: the kernels for the flat grid never run (handoff_flat; benchmarks/NOTES.md, entry 135)
HANDOFF_TALL_MIN_MEAN_ROWS = 128  # fused kernels of 32-row tiles (benchmarks/NOTES.md, entries 128-129) take
# only batches of at least this many rows a segment on average, and only where they give fewer column tiles a block
# than the 16-row tiles (_handoff_cost). Measured (entry 128, bf16, one adapter): over 256 rows 0.68-0.79x at
# 4096 -> 14336 (r16-r128) and 0.93x at h8192 r64, where they have fewer tiles a block; 1.09-1.19x at h4096, where
# they tie; over 64 rows 1.0-1.27x


def _cluster_sum_fits(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether the fused `kernel` may run `problem` with its cluster sum (FUSED_MAX_RANK, FUSED_MAX_BLOCKS). Kernels
    of a higher rank are never asked to (the r64 256-column one carries no cluster sum: codegen's
    KernelSpec.cluster_sum)."""
    return (max(problem.rank, kernel.rank) <= FUSED_MAX_RANK
            and fused_blocks(problem, kernel) <= FUSED_MAX_BLOCKS)


def uses_handoff(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether the fused `kernel` runs `problem` with the grid handoff (else with its cluster sum; tiles of more than
    16 rows and the kernels for the flat grid have none)."""
    if not HANDOFF_ENABLED:
        return False
    below = bool(HANDOFF_BELOW_MIN_RANK) and problem.rank <= FUSED_MAX_RANK and not _cluster_sum_fits(problem, kernel)
    return kernel.warp_rows > 16 or kernel.flat_tiles or problem.rank >= HANDOFF_MIN_RANK or below


def _handoff_row_tiles(problem: Problem, kernel: KernelRecord) -> int:
    """Row tiles of the longest segment (every row of the batch where the host does not know it)."""
    return max(1, math.ceil(problem.longest_segment_bound / kernel.warp_rows))


def handoff_flat(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether the grid handoff should number the batch's row tiles of `kernel`'s height over all segments (grid x 1,
    z the tile slots: the kernels of KernelRecord.flat_tiles, which find their tile with locate_tile_in) instead of
    giving every segment the longest one's tiles: where that takes fewer blocks a split, i.e. segments of skewed
    lengths or lengths the host does not know (HANDOFF_FLAT)."""
    return bool(HANDOFF_FLAT) and (tile_slots(problem, kernel)
                                   < problem.num_segments * _handoff_row_tiles(problem, kernel))


def _handoff_grid_within(problem: Problem, kernel: KernelRecord, cap: int) -> Optional[tuple[int, int, int]]:
    """The grid handoff's grid with at most `cap` blocks (x = segment, y = the blocks splitting h_in and sharing
    h_out's column tiles, z = one row tile each, to the longest segment; a kernel of KernelRecord.flat_tiles: x = 1,
    z = the batch's row tiles), or None."""
    flat = kernel.flat_tiles
    tiles = max(1, tile_slots(problem, kernel)) if flat else _handoff_row_tiles(problem, kernel)
    per_split = tiles if flat else problem.num_segments * tiles
    if per_split > cap or problem.num_rows * kernel.rank > HANDOFF_BUFFER_FLOATS or tiles > MAX_GRID_YZ:
        return None
    chunks = math.ceil(problem.hidden / kernel.chunk)
    tile_rows = min(kernel.warp_rows, max(1, problem.longest_segment_bound))
    splits = max(1, min(cap // per_split, chunks // HANDOFF_MIN_CHUNKS, HANDOFF_MAX_SPLIT_ROWS // tile_rows,
                        MAX_GRID_YZ))
    return 1 if flat else problem.num_segments, splits, tiles


def _tiles_per_block(problem: Problem, kernel: KernelRecord, grid: tuple[int, int, int]) -> int:
    return math.ceil(math.ceil(problem.slice_hidden[0] / kernel.tile_n) / grid[1])


def handoff_grid(problem: Problem, kernel: KernelRecord, num_sms: int,
                 resident_blocks: int = 1) -> Optional[tuple[int, int, int]]:
    """Grid of a fused launch with the grid handoff, or None if none fits the GPU at once or v the workspace: of
    the grids with up to 1, 2, ... min(HANDOFF_BLOCKS_PER_SM, resident_blocks) blocks an SM (resident_blocks: those
    of `kernel` an SM holds at once, the driver's occupancy), the one with the fewest column tiles a block, then
    the fewest blocks."""
    per_sm = max(1, min(HANDOFF_BLOCKS_PER_SM, resident_blocks))
    grids = [_handoff_grid_within(problem, kernel, min(HANDOFF_MAX_BLOCKS, num_sms) * n) for n in range(1, per_sm + 1)]
    return min((g for g in grids if g is not None), key=lambda g: (_tiles_per_block(problem, kernel, g), math.prod(g)),
               default=None)


def _handoff_cost(problem: Problem, kernel: KernelRecord, num_sms: int, resident_blocks: int) -> Optional[tuple]:
    """How dispatch ranks the fused `kernel` with the grid handoff on `problem` (lower first: the grid handoff_flat
    prefers, column tiles a block, rows a tile (16-row tiles first on a tie), blocks, columns, name), or None where
    the handoff does not take it: below its rank, a kernel for the flat grid where handoff_flat does not prefer it, a
    tile of more than 16 rows on a batch of fewer than HANDOFF_TALL_MIN_MEAN_ROWS rows a segment, no grid that fits,
    or more than HANDOFF_MAX_TILES_PER_BLOCK column tiles a block (above rank 64 HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK).
    """
    if not uses_handoff(problem, kernel):
        return None
    if kernel.warp_rows > 16 and problem.num_rows < HANDOFF_TALL_MIN_MEAN_ROWS * problem.num_segments:
        return None
    flat = handoff_flat(problem, kernel)
    if kernel.flat_tiles and not flat:
        return None
    grid = handoff_grid(problem, kernel, num_sms, resident_blocks)
    if grid is None:
        return None
    tiles = _tiles_per_block(problem, kernel, grid)
    most = HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK if problem.rank > 64 else HANDOFF_MAX_TILES_PER_BLOCK
    return (kernel.flat_tiles != flat, tiles, kernel.warp_rows, math.prod(grid), kernel.tile_n,
            kernel.name) if tiles <= most else None


def prefers_fused(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                  resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1) -> Optional[KernelRecord]:
    """The fused kernel to run add_lora `problem` in one launch (op "fused"), or None when the shrink-expand
    pair is faster. With the cluster sum: the tile whose launch is nearest FUSED_BEST_BLOCKS, ties toward fewer
    blocks, within FUSED_MAX_BLOCKS; else with the grid handoff: of the tiles it takes (_handoff_cost), a kernel
    for the flat grid where handoff_flat prefers it, then the one with the fewest column tiles a block, then 16 rows
    a tile before 32 (tiles of 32 rows only for batches of
    HANDOFF_TALL_MIN_MEAN_ROWS rows a segment), then the fewest blocks, then the fewest columns."""
    fitting = [k for k in kernels if can_run(problem, k)]
    cluster = [k for k in fitting if not uses_handoff(problem, k) and k.warp_rows == 16  # (32-row tiles have none,
               and not k.flat_tiles]                                                   # nor those for the flat grid)
    if cluster and problem.rank <= FUSED_MAX_RANK:
        best = min(cluster, key=lambda k: (abs(math.log2(fused_blocks(problem, k) / FUSED_BEST_BLOCKS)),
                                           fused_blocks(problem, k)))
        if fused_blocks(problem, best) <= FUSED_MAX_BLOCKS:
            return best
    costs = [(cost, k) for k in fitting
             if (cost := _handoff_cost(problem, k, num_sms, resident_blocks(k))) is not None]
    return min(costs, key=lambda ck: ck[0])[1] if costs else None


# add_lora in one launch by streaming (prefill.cuh): persistent blocks, one an SM (two in the r16 16-row tile's second
# build, below), stream row tiles of x and then y through shared memory. From benchmarks/dispatch_sweep.py (NOTES.md,
# entry 31): against the launch pair, 64-row tiles took 8192 rows in 8 segments at h4096 from 94.6 to 78.2 us at rank 64
# and from 71.6 to 67.3 at rank 16, where the batch has a tile for about every SM; with half the SMs (4096 rows, 64-row
# tiles) they lost (r64 74.1 vs 62.7 us) and 32-row tiles only tied (r16 43.6-44.7 vs 43.3). A cluster of two blocks
# shares each tile (each streams half of h_in and of h_out; entry 32), so such a batch keeps every SM busy again. The
# kernel takes batches whose tiles of its tallest fitting tile, times the blocks sharing each, keep
# PREFILL_MIN_SM_PERCENT of the SMs busy, of at least PREFILL_MIN_ROWS rows and PREFILL_MIN_MEAN_ROWS rows a
# segment.
PREFILL_MIN_ROWS = 1024
PREFILL_MIN_MEAN_ROWS = 32
PREFILL_MIN_SM_PERCENT = 90
PREFILL_H_IN_MULTIPLE = 16  # the shrink's MMA steps: h_in in whole 16-column steps
PREFILL_OVERLAP_PREVIOUS = 1  # launched to overlap the previous kernel (PDL): 0-2% faster than without
PREFILL_MAX_CLUSTER = 2  # prefill.cuh's kMaxCluster: blocks of a cluster sharing every tile (8 lost: entry 36)


# Its 16-row tile streams batches of many short segments (distinct decode batches: every row its own adapter),
# where the tiles keep PREFILL_MIN_SM_PERCENT of the SMs busy, at most PREFILL_SHORT_MAX_MEAN_ROWS rows a segment.
# From dispatch_sweep (NOTES.md, entries 35, 38 and 45; measured at one row a segment): r64 distinct bs64 and bs256
# 0.87-0.94x the pair's time, r16 0.88-0.95x. Its stages are PREFILL_SHORT_CHUNK columns wide: with 8 consumer
# warps (entry 45) 256 columns took distinct bs64 to 0.92-0.99x the time of 128 at r16 and r32, and 0.98-1.01x at
# r64 (before, 128 columns won where the tiles fit one wave, entry 38).
# Where codegen compiles the 16-row tile for two blocks an SM too (PREFILL_TWO_BLOCK_TILES: rank 16), batches of more
# blocks than SMs take that kernel, whose tiles then all run at once (r16 distinct bs256 0.94-1.02x, median 0.975), and
# the others the one-block kernel: offered two places an SM, the block scheduler put two blocks of a one-wave batch on
# some SMs while others idled (distinct bs64 1.07-1.17x; held to one an SM by shared memory, still 1.04-1.07x; entry
# 121).
# Batches of 3-31 rows a segment take the 16-row tile too, where its estimated blocks keep
# PREFILL_FEW_ROWS_MIN_SM_PERCENT of the SMs busy; a segment longer than a tile is several of its tiles (each reads its
# adapter again, from L2 after the first). The full sweep's skewed bs256 cases (38-51 segments, one of ~100 rows,
# estimated at 58-77% of the SMs) 0.59-0.89x the pair's time (rank 128 through the rank split; entry 139), batches of
# 3-8 rows in every segment (40-128 segments, each its own adapter) 0.59-0.91x, median 0.75 (entry 140), and both
# kinds with lengths the host does not know (a batch built from device tensors) 0.60-0.89x, median 0.74: the tile's
# time does not depend on the host knowing them (entry 141); batches of 10-31 rows in every segment (33-96
# segments) 0.56-1.02x, median 0.77, the one loss 40 x 24 rows at 14336 -> 4096 r64 (entry 142), so the limit is
# where the 64-row tile's batches start (PREFILL_MIN_MEAN_ROWS). Batches of 13-20 segments (skewed bs64, uniform
# bs256, distinct bs16 at 4096 -> 14336; at most 30% of the SMs) were 1.03-1.9x slower.
PREFILL_SHORT_ROWS = 16
PREFILL_SHORT_MAX_MEAN_ROWS = 2
PREFILL_SHORT_CHUNK = 256
PREFILL_FEW_ROWS_MAX_MEAN = 31
PREFILL_FEW_ROWS_MIN_SM_PERCENT = 50
# Batches of longer segments whose 64-row tiles the rule above does not take (fewer than PREFILL_MIN_ROWS rows, or
# tiles for less than PREFILL_MIN_SM_PERCENT of the SMs: e.g. 256-3700 rows in 2-52 segments) take whichever of the
# 64-row tile (where its blocks keep PREFILL_MID_TALL_MIN_SM_PERCENT of the SMs busy) and the 16-row tile (half of them)
# streams fewer bytes an SM (prefill_bytes_per_sm): the 16-row tile reads each adapter again for every 16 rows but
# spreads them over more SMs. Against the launch pair (NOTES.md, entry 143: 2-32 segments of 32-1024 rows, r16 and
# r64, four shapes) the 16-row tile took 0.60-1.07x its time, the 64-row tile 0.54-1.09x, and the model named the
# faster of the two in all 64 cases a dtype (best 0.54-0.95x, median 0.69): the 16-row tile at rank 16 and at 32-64
# rows a segment, the 64-row tile at rank 64 from 40 rows a segment on; the least share measured where the 64-row
# tile won was 36% (24 segments of 40 rows: 48 blocks). On batches it was not fitted to (entry 144) the 16-row tile
# lost where its tiles took two waves: ten segments of 100 rows (70 tiles in clusters of two) at r32-r64, 1.01-1.12x
# the pair; so here it is offered only where they fit PREFILL_MID_SHORT_MAX_WAVES, but for one more wave at ranks up to
# PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK (0: none; entry 149, 10 batches of 4-26 segments at four shapes): there the
# two-wave tile took r16 batches 0.83-0.94x the pair's time, and r8 and r16 batches 0.69-0.95x the 64-row tile's (its
# two-block build on batches of more than 132 blocks); rank 8 (rank 16's kernel) against its own pair, which moves half
# the adapter bytes, was even (0.93-1.05x), and two rank-16 halves of a rank-32 batch (rank_split) 1.6-1.9x the pair,
# so in place of the pair (no 64-row tile offered) the second wave is for a call at the rank itself only
# (prefers_prefill's second_wave_over_pair). At rank 32 (entry 151) the second wave took 0.68-0.83x the 64-row tile's
# time where the 16-row tiles fill the SMs without clusters (204-238 tiles: 3264-3696 rows in 14-48 segments), but
# 0.97-1.09x where they are two waves of clusters of two (24-28 segments of 36-42 rows), so up to
# PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK the second wave is offered against the 64-row tile where the 16-row tile's
# launch has no clusters. At rank 64 the bytes model keeps the 64-row tile there, and the 16-row tile was even
# (0.86-1.05x, median 0.98; entry 152).
PREFILL_MID_TALL_MIN_SM_PERCENT = 36
PREFILL_MID_SHORT_MAX_WAVES = 1
PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK = 16
PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK = 32


def prefill_row_tiles(problem: Problem, kernel: KernelRecord) -> int:
    """An estimate of the batch's row tiles of the prefill `kernel`: T / tile rows, and at least one a segment."""
    return max(1, math.ceil(problem.num_rows / kernel.warp_rows), min(problem.num_segments, problem.num_rows))


def prefill_cluster(problem: Problem, kernel: KernelRecord, num_sms: int) -> int:
    """Blocks sharing each row tile of the prefill kernel (a thread-block cluster; one block an SM): the size
    that ends the batch's tiles in the fewest tile-times, each block streaming 1 / size of a tile's bytes; ties go
    to the smaller size (no swap of v)."""
    tiles = prefill_row_tiles(problem, kernel)
    return min(range(1, PREFILL_MAX_CLUSTER + 1),
               key=lambda c: (math.ceil(tiles / max(1, num_sms // c)) / c, c))


def prefill_tiles_bound(problem: Problem, kernel: KernelRecord) -> int:
    """At most how many row tiles of the prefill `kernel` the batch has: a tile a segment per `warp_rows` of its
    longest, or its rows in tiles with every segment's last part-filled (no lengths read on the device)."""
    rows = kernel.warp_rows
    per_longest = problem.num_segments * math.ceil(problem.longest_segment_bound / rows)
    return max(1, min(per_longest, (problem.num_rows + problem.num_segments * (rows - 1)) // rows))


def _adapter_and_row_elements(problem: Problem) -> tuple[int, int]:
    """Elements of one adapter (A and B) and of one row (x read, y read and written) of add_lora `problem`."""
    h_out = sum(problem.slice_hidden)
    return (problem.hidden + h_out) * problem.rank, problem.hidden + 2 * h_out


def prefill_bytes_per_sm(problem: Problem, kernel: KernelRecord, num_sms: int) -> float:
    """A model of the prefill `kernel`'s time on a batch (PREFILL_MID_TALL_MIN_SM_PERCENT's note): the elements an
    SM streams, its waves of row tiles (prefill_tiles_bound, clusters as launched) times a block's share of a tile's
    adapter (A and B, read again by each tile, from L2 after the first) and rows."""
    adapter, row = _adapter_and_row_elements(problem)
    return prefill_waves(problem, kernel, num_sms) * (adapter + kernel.warp_rows * row) / prefill_cluster(
        problem, kernel, num_sms)


def prefill_waves(problem: Problem, kernel: KernelRecord, num_sms: int) -> int:
    """The waves of the prefill `kernel`'s row tiles (at most prefill_tiles_bound) in clusters as launched."""
    cluster = prefill_cluster(problem, kernel, num_sms)
    return math.ceil(prefill_tiles_bound(problem, kernel) / max(1, num_sms // cluster))


def _short_tile(problem: Problem, fitting: list[KernelRecord], num_sms: int,
                resident_blocks: Optional[Callable[[KernelRecord], int]]) -> Optional[tuple[KernelRecord, int]]:
    """The 16-row tile's kernel for `problem` and its estimated blocks: the measured stage width where a build has
    others (ties: the first compiled); two blocks an SM where the batch has more blocks than SMs, else one
    (PREFILL_SHORT_ROWS' note)."""
    short = [k for k in fitting if k.warp_rows == PREFILL_SHORT_ROWS]
    if not short:
        return None
    blocks = prefill_row_tiles(problem, short[0]) * prefill_cluster(problem, short[0], num_sms)
    wanted = 2 if blocks > num_sms else 1
    held = lambda k: resident_blocks is None or resident_blocks(k) >= k.blocks_per_sm  # noqa: E731
    kernel = max(short, key=lambda k: (k.tile_n == PREFILL_SHORT_CHUNK, k.blocks_per_sm == wanted and held(k),
                                       -k.blocks_per_sm))
    return kernel, blocks


def _tall_tile(problem: Problem, fitting: list[KernelRecord], num_sms: int) -> Optional[tuple[KernelRecord, int]]:
    """The tallest fitting tile's kernel for `problem` and its estimated blocks."""
    tall = [k for k in fitting if k.warp_rows > PREFILL_SHORT_ROWS]
    if not tall:
        return None
    kernel = max(tall, key=lambda k: k.warp_rows)
    return kernel, prefill_row_tiles(problem, kernel) * prefill_cluster(problem, kernel, num_sms)


def prefers_prefill(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                    resident_blocks: Optional[Callable[[KernelRecord], int]] = None,
                    second_wave_over_pair: bool = True) -> Optional[KernelRecord]:
    """The prefill kernel to run add_lora `problem` (op "prefill") in one launch, or None for the other paths:
    its tallest tile for long segments, its 16-row tile for many short ones (and batches of up to 31 rows a
    segment), the one of the two that streams fewer bytes an SM for the batches of longer segments between
    (PREFILL_MID_TALL_MIN_SM_PERCENT); the variant for true ranks exactly where the call gives them (without, it
    costs 1-4%: benchmarks/NOTES.md, entry 98). resident_blocks(kernel): the driver's occupancy where known; a
    kernel built for two blocks an SM is chosen only where the GPU holds two. second_wave_over_pair: whether the
    16-row tile may take a second wave (PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK) where the 64-row tile is not offered,
    i.e. in place of the launch pair: a call at the rank itself, not a rank-split half nor a padded rank."""
    fitting = [k for k in kernels if can_run(problem, k) and k.true_ranks == problem.true_ranks]
    mean_rows = problem.num_rows / max(1, problem.num_segments)
    busy = lambda chosen, percent: chosen is not None and 100 * chosen[1] >= percent * num_sms  # noqa: E731
    if mean_rows <= PREFILL_FEW_ROWS_MAX_MEAN:
        short = _short_tile(problem, fitting, num_sms, resident_blocks)
        one_row = mean_rows <= PREFILL_SHORT_MAX_MEAN_ROWS
        return short[0] if busy(short, PREFILL_MIN_SM_PERCENT if one_row else PREFILL_FEW_ROWS_MIN_SM_PERCENT) else None
    tall = _tall_tile(problem, fitting, num_sms)
    if (problem.num_rows >= PREFILL_MIN_ROWS and mean_rows >= PREFILL_MIN_MEAN_ROWS
            and busy(tall, PREFILL_MIN_SM_PERCENT)):
        return tall[0]
    short = _short_tile(problem, fitting, num_sms, resident_blocks)
    tall_offered = busy(tall, PREFILL_MID_TALL_MIN_SM_PERCENT)
    unclustered = short is not None and prefill_cluster(problem, short[0], num_sms) == 1
    second_wave = (problem.rank <= PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK and (tall_offered or second_wave_over_pair)
                   or problem.rank <= PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK and tall_offered and unclustered)
    if short is not None and prefill_waves(problem, short[0], num_sms) > PREFILL_MID_SHORT_MAX_WAVES + second_wave:
        short = None
    offers = [chosen[0] for chosen, offered in ((tall, tall_offered),
                                                (short, busy(short, PREFILL_FEW_ROWS_MIN_SM_PERCENT))) if offered]
    return min(offers, key=lambda k: prefill_bytes_per_sm(problem, k, num_sms), default=None)


def one_launch_kernel(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                      resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1,
                      second_wave_over_pair: bool = True) -> Optional[KernelRecord]:
    """The kernel that runs add_lora `problem` (op "fused", sm_90) in one launch: the fused kernel for small
    batches, the prefill kernel for long segments, many short ones and mid-size batches (prefers_prefill), or None
    for the shrink-expand pair.
    resident_blocks(kernel): blocks of it an SM holds at once (the driver's occupancy; the grid handoff's cap).
    second_wave_over_pair: prefers_prefill's (False for a rank-split half)."""
    kernels = list(kernels)
    return (prefers_fused(problem, kernels, num_sms, resident_blocks)
            or prefers_prefill(dataclasses.replace(problem, op="prefill"), kernels, num_sms, resident_blocks,
                               second_wave_over_pair))


# A batch without a one-launch kernel at its rank (at 128 in the default build: those the fused kernel's grid
# handoff does not take, over 256 rows or more than four column tiles a block, and prefill, where the prefill kernel's
# stages would need more shared memory) runs add_lora as two one-launch add_loras over the halves of the rank where
# both halves have one: (x A^T) B^T = (x A_1^T) B_1^T + (x A_2^T) B_2^T, A_1 being A's first r / 2
# rows and B_1 B's first r / 2 columns (views, no copies). x is read twice and y read and written twice, and y is
# rounded to its dtype after each half (v stays float32 within each). From benchmarks/dispatch_sweep.py over the
# full sweep's r128 cases (NOTES.md, entry 66): 0.61-0.98x the launch pair's time on 46 of 60, 1.00-1.05x on the
# rest (skewed batches, small ones of 4096 -> 14336). RANK_SPLIT 0: never (the launch pair).
RANK_SPLIT = 1


def rank_split(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
               resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1) -> Optional[Problem]:
    """The problem of each half-rank add_lora that together run add_lora `problem` (op "fused"), or None: RANK_SPLIT
    off, several output slices, a one-launch kernel at the full rank, halves off the 16-wide MMA steps, or no
    one-launch kernel for the half without the 16-row prefill tile's second wave in place of the pair (entry 149). The
    half's B columns start r / 2 elements into each row: aligned as the whole."""
    if not RANK_SPLIT or problem.num_slices != 1 or problem.rank < 32 or problem.rank % 32:
        return None
    kernels = list(kernels)
    if one_launch_kernel(problem, kernels, num_sms, resident_blocks) is not None:
        return None
    half = dataclasses.replace(problem, rank=problem.rank // 2, slice_ranks=(problem.rank // 2,))
    chosen = one_launch_kernel(half, kernels, num_sms, resident_blocks, second_wave_over_pair=False)
    return half if chosen is not None else None


# A rank without prefill kernels of its own (rank 8: PREFILL_RANKS in codegen) may run the batches the prefill kernel
# takes (long segments, many short ones) on the next rank's prefill kernel, its variant for true ranks, with
# every adapter's rank given as the call's (cuda_ops passes a table of them): that variant copies only the rows of A
# and the bytes of B within each adapter's rank (prefill_produce.cuh), so the call's narrower weights are read within
# their bounds, and v's columns past the rank stay zero. Otherwise those batches run as the launch pair, 1.04-1.9x
# their targets at rank 8 in the full sweep; on them its prefill cases took 0.80-0.94x that time, within their targets,
# and distinct bs64 0.79-0.86x (benchmarks/NOTES.md, entry 137).
PADDED_PREFILL = 1  # 0: never (dispatch_sweep's switch)
PADDED_PREFILL_RANKS = {8: 16}  # a rank: the rank of the prefill kernels that run it


def padded_prefill(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                   resident_blocks: Optional[Callable[[KernelRecord], int]] = None
                   ) -> Optional[tuple[Problem, KernelRecord]]:
    """For add_lora `problem` (op "fused") at a rank of PADDED_PREFILL_RANKS, one output slice, no true ranks in the
    call and no one-launch kernel at its own rank: the problem at the padded rank with true ranks and the prefill
    kernel that runs it, or None."""
    to = PADDED_PREFILL_RANKS.get(problem.rank)
    if not PADDED_PREFILL or to is None or problem.true_ranks or problem.num_slices != 1:
        return None
    kernels = list(kernels)
    if one_launch_kernel(problem, kernels, num_sms, resident_blocks or (lambda kernel: 1)) is not None:
        return None
    padded = dataclasses.replace(problem, op="prefill", rank=to, slice_ranks=(to,), true_ranks=True)
    kernel = prefers_prefill(padded, kernels, num_sms, resident_blocks, second_wave_over_pair=False)
    return (padded, kernel) if kernel is not None else None


def one_launch_problem(problem: Problem, kernel: KernelRecord) -> Problem:
    """add_lora's `problem` (op "fused", as Problem.for_add_lora gives it) as the one-launch `kernel` it was given
    to (the fused or the prefill kernel) is checked and planned."""
    return dataclasses.replace(problem, op=kernel.op)
