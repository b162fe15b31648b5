"""What was asked (Problem) and which kernel runs it: the shrink-expand pair's kernels (select) and the fused
kernel for add_lora in one launch (prefers_fused; one_launch.py adds the prefill kernel, the rank split and the padded
rank to choose add_lora's one-launch kernel); launch_plan.py plans how a chosen kernel is launched.

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
PREFILL_H_IN_MULTIPLE = 16  # the shrink's MMA steps: h_in in whole 16-column steps
PREFILL_OVERLAP_PREVIOUS = 1  # launched to overlap the previous kernel (PDL): 0-2% faster than without
FUSED_CLUSTER = 8  # the fused kernel's cluster: its blocks split h_in (16, non-portable, measured slower);
# at most csrc's kMaxCluster, as launch_plan.MAX_CLUSTER (tests/test_abi.py checks both)


def _aligned(*tensors_and_strides, first_column: int = 0) -> bool:
    """True if every (tensor, element strides...) has a 16-byte aligned base and 16-byte strides; the first tensor's
    base taken `first_column` elements in (a slice of y's columns, without making the view). Plain loops: this runs
    on every add_lora call (NOTES.md entry 374)."""
    offset = first_column
    for tensor, *strides in tensors_and_strides:
        es = tensor.element_size()
        if (tensor.data_ptr() + offset * es) % VECTOR_BYTES:
            return False
        for s in strides:
            if (s * es) % VECTOR_BYTES:
                return False
        offset = 0
    return True


@dataclasses.dataclass(frozen=True)
class Problem:
    op: str  # "shrink", "expand", "fused" (add_lora in one launch), "prefill" (the same, streamed: long segments
    # or many short segments) or "gemv" (the same for one-row segments, a gather matrix-vector kernel)
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
    narrow_weights: bool = False  # fused and prefill: B's rows are narrower than `rank` (a rank off the grid on the
    # next rank's kernels, one_launch_padded; with true_ranks): only the variants for true ranks read them in bounds
    pairs: int = 1  # fused: the output slices of a packed launch, a pair of A and B each (slice_calls.packed_problem);
    # from 2, num_rows and num_segments count every pair's (the grid's blocks and v's rows), slice_hidden the widest

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
                     num_segments: int, max_segment_rows: int = -1, true_ranks: bool = False,
                     y_col: int = 0) -> "Problem":
        """One output slice's whole add_lora (the fused kernel): h_in = hidden, h_out = slice_hidden[0];
        true_ranks: the call gives the adapters' true ranks; y_col: the slice's first column of y (a packed call's
        slice, as y[:, y_col:] would give it). (The shrink's and the expand's alignment rules at once, not through
        for_shrink: this runs on every add_lora call, NOTES.md entry 341.)"""
        h_in, h_out = x.shape[1], lora_b.shape[1]
        aligned = h_in % 8 == 0 and h_out % 8 == 0 and lora_b.shape[2] % 8 == 0 and _aligned(
            (y, y.stride(0)), (x, x.stride(0)), (lora_a, lora_a.stride(0), lora_a.stride(1)),
            (lora_b, lora_b.stride(0), lora_b.stride(1)), first_column=y_col)
        rank = lora_a.shape[1] if lora_a.shape[1] == lora_b.shape[2] else 0  # 0: no kernel runs it
        return cls("fused", DTYPE_NAMES[x.dtype], rank, h_in, x.shape[0], num_segments, aligned, (h_out,), (rank,),
                   max_segment_rows, true_ranks=true_ranks)


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
    have it; a specialized h_out needs every slice to have it. A packed launch (problem.pairs > 1) needs a fused
    kernel for packed calls, which runs a one-slice call too (one pair; dispatch gives it none: fused_variant_fits)."""
    if problem.op in ("fused", "prefill", "gemv"):  # true ranks: the fused kernel (where B's rows are narrower than
        # its rank, narrow_weights, only its variant for true ranks; that runs any call, but dispatch gives it only
        # those: fused_variant_fits), and the prefill kernel's variant for them (it runs any call); the gemv kernel
        # computes every adapter at its rank
        return (kernel.op == problem.op and kernel.dtype == problem.dtype and kernel.rank == problem.rank
                and problem.num_slices == 1 and problem.aligned and (kernel.packed or problem.pairs == 1)
                and ((problem.op == "fused" and (kernel.true_ranks or not problem.narrow_weights))
                     or (problem.op == "gemv" and not problem.true_ranks)
                     or (problem.op == "prefill" and not kernel.phase and problem.hidden % PREFILL_H_IN_MULTIPLE == 0
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
# Each warp of a cluster's blocks reduces h_in / (FUSED_CLUSTER x warps) columns in sequence; where the tile nearest
# FUSED_BEST_BLOCKS would reduce more than FUSED_MAX_WARP_COLUMNS, the grid handoff, which splits h_in over up to a
# block an SM, runs the batch instead. From dispatch_sweep (NOTES.md, entries 156 and 158): the 4-warp tile's 16-block
# launches (one segment of 1-16 rows) at h_in 10240-16384 (320-512 columns a warp) took 4.4-6.6 us against the
# handoff's 3.7-4.3, and the 8-warp tile in one cluster, 3.8-5.2, between the two; at h_in 8192 (256 a warp) the
# cluster sum won (3.1 against 3.8 us).
# The handoff also runs batches of at most FUSED_HANDOFF_MAX_ROW_TILES row tiles (the cluster sum's segments x row
# groups) whose blocks would reduce more than FUSED_MAX_BLOCK_COLUMNS columns each (h_in / FUSED_CLUSTER, whatever
# their warps: the 8-warp tile past h_in 8192). From dispatch_sweep (entry 226, 8-warp tile's cluster sum against the
# 4-warp tile's handoff, h_in 9216-16384 -> 4096-12288, r8/r16): batches of 1-4 row tiles (1 x 64, 2 x 32, 3 x 16,
# 4 x 4, 2 x 8 rows) 0.78-0.92x; 5 x 3 rows 0.88-1.07x; 7-8 tiles (8 x 4, 8 x 8, skewed bs16 s7) 1.0-1.09x.
FUSED_MAX_WARP_COLUMNS = 256
FUSED_MAX_BLOCK_COLUMNS = 1024
FUSED_HANDOFF_MAX_ROW_TILES = 4
FUSED_BEST_BLOCKS = 16  # of the fused tiles, the one whose launch is nearest this many blocks won every case


def column_tiles(problem: Problem, kernel: KernelRecord) -> int:
    """The fused `kernel`'s column tiles over h_out (the widest slice's)."""
    return math.ceil(problem.slice_hidden[0] / kernel.tile_n)


def fused_grid(problem: Problem, kernel: KernelRecord) -> tuple[int, int, int]:
    """Grid of a fused launch: x = segment, y = one column tile per block rounded up to whole clusters of
    FUSED_CLUSTER (a cluster's blocks split h_in, so every cluster recomputes its row tile's v), z = row group."""
    return (problem.num_segments, FUSED_CLUSTER * math.ceil(column_tiles(problem, kernel) / FUSED_CLUSTER),
            row_groups(problem, kernel))


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
# HANDOFF_MAX_SPLIT_ROWS (and HANDOFF_ONE_TILE_MAX_SPLITS); v of at most HANDOFF_BUFFER_FLOATS floats (num_rows x
# rank). Measured with dispatch_sweep:
# splits in entry 48 (a block per chunk for one-row batches, 64 splits for 16-row tiles), tiles a block and blocks
# an SM in entry 44 (two blocks an SM took h8192 r64 identical bs256 16.8 -> 12.1 us and lost only where one an SM
# already gave every block one tile, hence fewest tiles, then fewest blocks; 4 tiles a block lost to the prefill
# kernel at h4096 distinct bs64).
HANDOFF_ENABLED = os.environ.get("SGMV_GRID_HANDOFF", "1") != "0"  # "0": never (README)
HANDOFF_MIN_RANK = 32
HANDOFF_BELOW_MIN_RANK = 1  # 0: below HANDOFF_MIN_RANK only the cluster sum (else the pair)
HANDOFF_MAX_TILES_PER_BLOCK = 2
HANDOFF_WIDE_RANK_ABOVE = 64
HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK = 4  # the same above that rank: rank 128's kernel, 128 columns a tile, took the
# full sweep's r128 batches whose grid gives 3-4 tiles a block from the two half-rank launches (or the pair) to
# 0.83-0.86x (h8192 identical bs256 21.8 -> 18.0 us, distinct bs16 29.2 -> 24.5), the others unchanged (entry 103)
HANDOFF_MAX_BLOCKS = 128
HANDOFF_BLOCKS_PER_SM = 3  # where the driver holds that many (the uncapped 4-warp rank 8-16 flat twins only: codegen's
# KernelSpec.occupancy_cap holds their other 4-warp tiles to two, and the other fused kernels' registers allow at most
# two): their grids of three an SM took the full sweep's skewed bs64 batches at rank 8-16 to 0.82-0.97x where the
# flat twin runs them (NOTES entry 269); the 4-warp tiles' grids at three an SM, uncapped, lost 1.02-1.06x (placement)
HANDOFF_MIN_CHUNKS = 1
HANDOFF_MAX_SPLIT_ROWS = 1024
HANDOFF_ONE_TILE_MAX_SPLITS = 64  # a launch of one row tile whose rows x rank exceed HANDOFF_ONE_TILE_SPLIT_ABOVE
# splits h_in at most this many ways (or h_out's column tiles, if more), where the adapter's A holds at most
# HANDOFF_ONE_TILE_MOST_WEIGHTS elements (rank x h_in) and the kernel is for whole ranks from HANDOFF_MIN_RANK
# (_one_tile_max_splits). One adapter over 3-12 rows at rank 64, 6-12 at rank 32, 2-12 at rank 128 (each split adding
# more of v than 128 x 128 floats at 128 splits) took 0.85-1.04x the 85-128 splits' time over twelve shapes and both
# dtypes, median 0.965 (209 cases; 4096 -> 14336 and 5120 -> 13824 on the 256-column tile 0.87-1.04, rank 128 at 3072 ->
# 8192 1.02-1.03); fewer rows went 0.94-1.08x, A of rank 128 x 14336 1.06-1.08x, the true-rank variants 0.90-1.13x, 48
# splits lost at most shapes (benchmarks/NOTES.md, entry 396)
HANDOFF_ONE_TILE_SPLIT_ABOVE = 128
HANDOFF_ONE_TILE_MOST_WEIGHTS = 1 << 20
HANDOFF_BUFFER_FLOATS = 512 * 64  # each of the workspace's two buffers of v (cuda_ops allocates the workspace)
HANDOFF_HEADER_FLOATS = 16  # handoff.cuh's kHandoffHeaderFloats: the arrival counter before the buffers
HANDOFF_FLAT = 1  # 0: the kernels for the flat grid never run (handoff_flat; benchmarks/NOTES.md, entry 135)
HANDOFF_MAX_TILES = 256  # handoff.cuh's kHandoffMaxTiles: row tiles of a launch whose blocks wait per row tile
HANDOFF_TILE_PITCH = 32  # handoff.cuh's kHandoffTilePitch: floats a row tile's counter takes, after the buffers
HANDOFF_TILE_BARRIER_MIN_TILES = 16  # launches of at least this many row tiles (grid x times z) run the variant of
# their kernel whose blocks wait for their own row tile's blocks only (KernelRecord.tile_barrier), where the build
# has it. As kernels of their own (entry 249; entry 92 had the form in the same kernel, where it cost the launches of
# 1-8 row tiles 1-5%): on the 88 full-sweep cases of 16 row tiles (distinct bs16, uniform and identical bs256, every
# rank and shape, both dtypes; medians of 3) 0.911-1.012x, median 0.979, 64 of them under 0.99; with a threshold of
# 4, the launches of 4-8 row tiles took 0.99-1.04x (uniform bs16 and bs64, identical bs64 and bs256 on 32-row tiles)
HANDOFF_TILE_BARRIER_WIDE_RANK = 128  # from this rank the barrier per row tile from HANDOFF_TILE_BARRIER_WIDE_MIN_TILES
HANDOFF_TILE_BARRIER_WIDE_MIN_TILES = 5  # row tiles: rank 128's launches of 7-8 row tiles (identical bs256, uniform
# bs64, skewed bs16; medians of 3, both dtypes) 0.93-1.01x, class medians 0.97-0.99; of 4, identical bs64 0.98x but
# uniform bs16 (4 segments of 4 rows) 1.01x, 1.02x at h8192; ranks 32-64 both ways (NOTES entries 255, 257)
HANDOFF_TILE_BARRIER_TALL_MIN_TILES = 10  # below that rank, launches of one segment on tiles of more than 16
# rows (the 32-row tiles) from this many row tiles: one adapter over 320-480 rows (10-15 row tiles) on the 32-row
# 512-column tile took 0.91-1.01x the one barrier's time at seventeen shapes, ranks 16-64, both dtypes, class medians
# 0.95-0.98; over 288 rows (9) 0.94-1.07x (rank 32: 1.06 at 2560 -> 6912, 1.07 at h7168), over 256 (8) 0.95-1.08x.
# Launches of several segments on them were not measured; 16-row tiles of 9-15 row tiles went 0.99 at the median, up
# to 1.03, so they keep 16 (NOTES entries 398 and 400)
HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES = 8  # ... from this many where a block of the 32-row tile holds two or
# more column tiles (h_out's tiles over the splits, _tiles_per_block): one adapter over 240-288 rows (8-9 row tiles) at
# three shapes no call had timed (3072 -> 12288, 7168 -> 14336, 3584 -> 18944), ranks 16-64, bf16, took 0.92-0.99x,
# median 0.95 (NOTES entry 403); in-sample 0.93-0.98 at six more shapes, both dtypes (entries 398 and 400)
HANDOFF_TILE_BARRIER_TALL_NARROW_COLUMNS = 256  # ... and tall tiles of at most this many columns from
HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES = 5  # this many: the 32-row 256-column tile, which dispatch gives one
# adapter at ranks 32-64 where h_in is large and h_out at most 4096, over 160-256 rows (5-8 row tiles) at six shapes
# (11008-28672 -> 2048-4096) took 0.93-1.01x, median 0.97 both dtypes; over 240-256 rows 0.93-0.99 (NOTES entry 400)
HANDOFF_ONE_BARRIER_TILES = ((128, 8, 16), (64, 8, 16))  # (rank, warps, rows a tile): fused tiles taken on launches
# of one barrier only, not for the flat grid or a barrier per row tile: rank 128's 8-warp 16-row tile ran 0.72-0.98x
# the 4-warp tile there (median 0.94; NOTES entries 388 and 392), its twins 0.99 (a barrier per row tile) and 1.01
# (flat; entry 388), so codegen builds none (codegen/spec.py's FUSED_ONE_BARRIER_*: test_codegen checks they agree)
HANDOFF_ONE_ROW_TILE_LEAST_ROWS = {(64, 8, 16): 12}  # ... and of these, tiles taken only on launches of a single row
# tile of at least this many rows, and there before any other tile: rank 64's 8-warp tile ran 0.90-0.97x dispatch's
# pick on one segment of 12-16 rows at five shapes, but 0.99-1.10x on 8 rows, 1.02-1.09x on 1-2, 1.02-1.13x on two or
# three row tiles (NOTES entry 393)
HANDOFF_TALL_PER_TILE_BELOW_RANK = 32  # below this rank a 32-row tile is not taken on one segment where its launch
HANDOFF_TALL_PER_TILE_MAX_ROW_TILES = 16  # would run one barrier and the 16-row tiles' launch a barrier per row tile
# over at most this many row tiles: one adapter over 256 rows at rank 16 ran the 16-row 4-warp tile's twin (16 row
# tiles) 0.91-0.99x the 32-row 512-column tile (8 row tiles, one barrier) at five shapes, median 0.967 in both dtypes;
# where both wait per row tile (384-512 rows) it lost (up to 1.14x) (NOTES entry 404). Again in entry 406 (medians of
# 9): 256 rows 0.91-0.99x, and 248 rows, out of sample, 0.92-0.99x at the same five shapes, medians 0.96-0.97; 17-18
# row tiles (272-288 rows) ran 0.95-0.98x at four shapes but 1.03-1.04x at 14336 -> 4096, so 16 stays the bound but:
HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_ROW_TILES = 18  # the bound where h_in is at most
HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_H_IN = 7168  # this: over 264-288 rows (17-18 row tiles; medians of 9, both dtypes)
# h_in 2048-7168 ran 0.94-0.99x at 14 shapes of h_in / h_out 0.5-1.75, h_in 8192-14336 1.03-1.07x at eight of 1.33-3.5
# (NOTES entries 406, 408, 410, 411); at entry 411's h_out of 1024-3584 dispatch picks another tile: none moves there
HANDOFF_TALL_MIN_MEAN_ROWS = 128  # fused kernels of 32-row tiles (benchmarks/NOTES.md, entries 128-129) take
# only batches of at least this many rows a segment on average, and only where they give fewer column tiles a block
# than the 16-row tiles or, from HANDOFF_MIN_RANK, as many with fewer columns of h_in a warp (_handoff_cost,
# HANDOFF_MAX_WARP_COLUMNS). Measured (entry 128, bf16, one adapter): over 256 rows 0.68-0.79x at
# 4096 -> 14336 (r16-r128) and 0.93x at h8192 r64, where they have fewer tiles a block; 1.09-1.19x at h4096, where
# they tie; over 64 rows 1.0-1.27x
HANDOFF_MAX_WARP_COLUMNS = 128  # from HANDOFF_MIN_RANK, on a tie of column tiles a block, the grid whose warps each
# reduce fewer columns of h_in (h_in / (splits x warps)), counted in halvings above this, then the fewest blocks: at
# 14336 -> 4096, r32-r64, 8 segments of 8 rows and skewed bs16, the 128-column tile with twice the splits (112 or 85
# columns a warp against 224 or 171) took 0.90-0.96x the 256-column tile's time; where the fewer blocks' warps had
# 64 columns or fewer (h4096, h8192) it took 1.02-1.14x. Below that rank the two tiles of a tie are the 8-warp one
# and the 4-warp one with twice the splits, whose warps reduce as many columns: even, 0.93-1.07x, median 1.00, so
# there the fewest blocks stay first (benchmarks/NOTES.md, entry 232; both dtypes), but for launches of a barrier per
# row tile (HANDOFF_TILE_BARRIER_MOST_BLOCKS). The halvings also come before the rows a tile: one adapter over 256
# rows at 14336 -> 4096, r32-r64, took 0.94-0.97x on the 8-warp 32-row tile (112 columns a warp) against the 16-row
# one (224) at one column tile a block each (entry 235)
HANDOFF_TILE_BARRIER_MOST_BLOCKS = 1  # below HANDOFF_MIN_RANK, a launch whose blocks wait per row tile
# (wants_tile_barrier) takes the tile of the most blocks on a tie (0: the fewest, as every other launch): the 4-warp
# 256-column tile's 16 splits a row tile before the 8-warp 512-column tile's 8. dispatch_sweep over the 18 full-sweep
# cases a dtype it moves (r8-r16 distinct bs16, uniform and identical bs256, four shapes; medians of 5): 0.966-1.002x,
# median 0.981 (bf16), 0.956-1.008x, median 0.977 (fp16); the same rule on launches of fewer row tiles or on the flat
# grid went both ways, 0.94-1.05x (benchmarks/NOTES.md, entry 250)


def _cluster_sum_fits(problem: Problem, kernel: KernelRecord, columns: bool = True) -> bool:
    """Whether the fused `kernel` may run `problem` with its cluster sum (FUSED_MAX_RANK, FUSED_MAX_BLOCKS and, unless
    columns is False, the columns of h_in its warps and blocks reduce: _cluster_columns_fit). Kernels of a higher rank
    are never asked to (the r64 256-column one carries no cluster sum: codegen's KernelSpec.cluster_sum)."""
    return (max(problem.rank, kernel.rank) <= FUSED_MAX_RANK
            and fused_blocks(problem, kernel) <= FUSED_MAX_BLOCKS
            and (not columns or _cluster_columns_fit(problem, kernel)))


def _cluster_columns_fit(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether the cluster sum's warps and blocks of `kernel` reduce few enough columns of h_in for `problem`
    (FUSED_MAX_WARP_COLUMNS; FUSED_MAX_BLOCK_COLUMNS on batches of at most FUSED_HANDOFF_MAX_ROW_TILES row tiles)."""
    row_tiles = problem.num_segments * row_groups(problem, kernel)
    return (problem.hidden <= FUSED_MAX_WARP_COLUMNS * FUSED_CLUSTER * kernel.warps
            and (problem.hidden <= FUSED_MAX_BLOCK_COLUMNS * FUSED_CLUSTER or row_tiles > FUSED_HANDOFF_MAX_ROW_TILES))


def uses_handoff(problem: Problem, kernel: KernelRecord, columns: bool = True) -> bool:
    """Whether the fused `kernel` runs `problem` with the grid handoff (else with its cluster sum; tiles of more than
    16 rows, the kernels for the flat grid and those with a barrier per row tile have none). columns:
    _cluster_sum_fits's."""
    if not HANDOFF_ENABLED:
        return False
    below = (bool(HANDOFF_BELOW_MIN_RANK) and problem.rank <= FUSED_MAX_RANK
             and not _cluster_sum_fits(problem, kernel, columns))
    return (kernel.warp_rows > 16 or kernel.flat_tiles or kernel.tile_barrier or problem.rank >= HANDOFF_MIN_RANK
            or below)


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


def _one_pair(problem: Problem) -> Problem:
    """A packed launch's problem (Problem.pairs) as one of its slices' (its rows and segments a pair's)."""
    if problem.pairs == 1:
        return problem
    return dataclasses.replace(problem, num_rows=problem.num_rows // problem.pairs,
                               num_segments=problem.num_segments // problem.pairs, pairs=1)


def _one_tile_max_splits(problem: Problem, kernel: KernelRecord, per_split: int, tile_rows: int) -> int:
    """The most splits of h_in a grid handoff launch of `kernel` may take by HANDOFF_ONE_TILE_MAX_SPLITS (per_split:
    its row tiles a split): on a launch of one row tile of more than HANDOFF_ONE_TILE_SPLIT_ABOVE rows x rank whose A
    holds at most HANDOFF_ONE_TILE_MOST_WEIGHTS elements, by a kernel for whole ranks (not true_ranks) from
    HANDOFF_MIN_RANK (the ranks measured), that many or h_out's column tiles, whichever is more (so that no block holds
    more column tiles than before), else no cap."""
    if (per_split == 1 and not kernel.true_ranks and problem.rank >= HANDOFF_MIN_RANK
            and tile_rows * problem.rank > HANDOFF_ONE_TILE_SPLIT_ABOVE
            and problem.rank * problem.hidden <= HANDOFF_ONE_TILE_MOST_WEIGHTS):
        return max(HANDOFF_ONE_TILE_MAX_SPLITS, column_tiles(problem, kernel))
    return MAX_GRID_YZ


def _handoff_grid_within(problem: Problem, kernel: KernelRecord, cap: int) -> Optional[tuple[int, int, int]]:
    """The grid handoff's grid with at most `cap` blocks (x = segment, y = the blocks splitting h_in and sharing
    h_out's column tiles, z = one row tile each, to the longest segment; a kernel of KernelRecord.flat_tiles: x = 1, or
    a packed launch's pairs, z = the batch's row tiles), or None."""
    flat = kernel.flat_tiles
    tiles = max(1, tile_slots(_one_pair(problem), kernel)) if flat else _handoff_row_tiles(problem, kernel)
    per_split = tiles * problem.pairs if flat else problem.num_segments * tiles
    if per_split > cap or problem.num_rows * kernel.rank > HANDOFF_BUFFER_FLOATS or tiles > MAX_GRID_YZ:
        return None
    chunks = math.ceil(problem.hidden / kernel.chunk)
    tile_rows = min(kernel.warp_rows, max(1, problem.longest_segment_bound))
    splits = max(1, min(cap // per_split, chunks // HANDOFF_MIN_CHUNKS, HANDOFF_MAX_SPLIT_ROWS // tile_rows,
                        _one_tile_max_splits(problem, kernel, per_split, tile_rows), MAX_GRID_YZ))
    return problem.pairs if flat else problem.num_segments, splits, tiles


def _tiles_per_block(problem: Problem, kernel: KernelRecord, grid: tuple[int, int, int]) -> int:
    return math.ceil(column_tiles(problem, kernel) / grid[1])


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


def _handoff_cost(problem: Problem, kernel: KernelRecord, num_sms: int, resident_blocks: int,
                  max_tiles_per_block: int = 0) -> Optional[tuple]:
    """How dispatch ranks the fused `kernel` with the grid handoff on `problem` (lower first: a tile of
    HANDOFF_ONE_ROW_TILE_LEAST_ROWS on the launches it takes, the grid handoff_flat prefers, column tiles a block, from
    HANDOFF_MIN_RANK the columns of h_in a warp in halvings above HANDOFF_MAX_WARP_COLUMNS, rows a tile (16-row tiles
    first on a tie), blocks (the most first below HANDOFF_MIN_RANK where the launch waits per row tile:
    HANDOFF_TILE_BARRIER_MOST_BLOCKS), columns, the twin with a barrier per row tile where wants_tile_barrier, name), or
    None where the handoff does not take it: below its rank, a kernel for the flat grid where handoff_flat does not
    prefer it, one with a barrier per row tile on a launch wants_tile_barrier does not send to it (too few row tiles
    for the tile's rank and rows, or more than HANDOFF_MAX_TILES), a tile of more than 16 rows on a batch of fewer than
    HANDOFF_TALL_MIN_MEAN_ROWS rows a segment, no grid that fits, or more than HANDOFF_MAX_TILES_PER_BLOCK column tiles
    a block (above HANDOFF_WIDE_RANK_ABOVE HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK; max_tiles_per_block where larger), a
    tile of HANDOFF_ONE_BARRIER_TILES on a launch for the flat grid or of a barrier per row tile, or one of
    HANDOFF_ONE_ROW_TILE_LEAST_ROWS on a launch of more row tiles than one or fewer rows than its least.
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
    per_tile = not kernel.flat_tiles and wants_tile_barrier(grid, problem.rank, kernel.warp_rows, kernel.tile_n, tiles)
    if kernel.tile_barrier and not per_tile:
        return None
    tile = (kernel.rank, kernel.warps, kernel.warp_rows)
    if (per_tile or flat) and tile in HANDOFF_ONE_BARRIER_TILES:
        return None
    if tile in HANDOFF_ONE_ROW_TILE_LEAST_ROWS and (
            grid[0] * grid[2] > 1 or problem.num_rows < HANDOFF_ONE_ROW_TILE_LEAST_ROWS[tile]):
        return None
    most = max(max_tiles_per_block, HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK if problem.rank > HANDOFF_WIDE_RANK_ABOVE
               else HANDOFF_MAX_TILES_PER_BLOCK)
    warp_columns = problem.hidden / (grid[1] * kernel.warps)
    halvings = (max(0, math.ceil(math.log2(warp_columns / HANDOFF_MAX_WARP_COLUMNS)))
                if problem.rank >= HANDOFF_MIN_RANK else 0)  # (below it, even: HANDOFF_MAX_WARP_COLUMNS' note)
    blocks = math.prod(grid)
    if HANDOFF_TILE_BARRIER_MOST_BLOCKS and per_tile and problem.rank < HANDOFF_MIN_RANK:
        blocks = -blocks
    return (tile not in HANDOFF_ONE_ROW_TILE_LEAST_ROWS, kernel.flat_tiles != flat, tiles, halvings, kernel.warp_rows,
            blocks, kernel.tile_n, kernel.tile_barrier != per_tile, kernel.name) if tiles <= most else None


def wants_tile_barrier(grid: tuple[int, int, int], rank: int, warp_rows: int = 16, tile_n: int = 0,
                       tiles_a_block: int = 1) -> bool:
    """Whether a grid handoff launch of `grid` (x segments, y splits, z row tiles a segment: the per-segment grid) at
    `rank` on tiles of `warp_rows` rows should run the variant of its kernel with a barrier per row tile:
    HANDOFF_TILE_BARRIER_MIN_TILES to HANDOFF_MAX_TILES row tiles (from HANDOFF_TILE_BARRIER_WIDE_MIN_TILES at
    HANDOFF_TILE_BARRIER_WIDE_RANK and above, else for one segment on tiles of more than 16 rows from
    HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES where the tile has at most HANDOFF_TILE_BARRIER_TALL_NARROW_COLUMNS
    columns (tile_n; 0: unknown, taken as wider), where it has more from HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES
    if a block holds more than one column tile (tiles_a_block), else from HANDOFF_TILE_BARRIER_TALL_MIN_TILES)."""
    if rank >= HANDOFF_TILE_BARRIER_WIDE_RANK:
        least = HANDOFF_TILE_BARRIER_WIDE_MIN_TILES
    elif warp_rows > 16 and grid[0] == 1:
        least = (HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES if 0 < tile_n <= HANDOFF_TILE_BARRIER_TALL_NARROW_COLUMNS
                 else HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES if tiles_a_block > 1
                 else HANDOFF_TILE_BARRIER_TALL_MIN_TILES)
    else:
        least = HANDOFF_TILE_BARRIER_MIN_TILES
    return least <= grid[0] * grid[2] <= HANDOFF_MAX_TILES


def prefers_handoff(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                    resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1,
                    max_tiles_per_block: int = 0) -> Optional[KernelRecord]:
    """The fused kernel to run add_lora `problem` with the grid handoff, or None: of the tiles it takes
    (_handoff_cost; max_tiles_per_block: its wider limit, one_launch.handoff_over_pair's), a tile of
    HANDOFF_ONE_ROW_TILE_LEAST_ROWS where it takes the launch, then a kernel for the flat grid where handoff_flat
    prefers it, then the one with the fewest column tiles a block, then (from HANDOFF_MIN_RANK) the
    fewest columns of h_in a warp in halvings above HANDOFF_MAX_WARP_COLUMNS, then 16 rows a tile before 32 (tiles of
    32 rows only for batches of HANDOFF_TALL_MIN_MEAN_ROWS rows a segment), then the fewest blocks (the most below
    HANDOFF_MIN_RANK on launches of a barrier per row tile: HANDOFF_TILE_BARRIER_MOST_BLOCKS), then the fewest
    columns; of a kernel and its twin with a barrier per row tile, the twin where wants_tile_barrier, else the kernel
    itself; a 32-row tile under one barrier gives way to the 16-row tiles where _tall_tile_gives_way."""
    costs = [(cost, k) for k in kernels if can_run(problem, k) and fused_variant_fits(problem, k)
             if (cost := _handoff_cost(problem, k, num_sms, resident_blocks(k), max_tiles_per_block)) is not None]
    best = min(costs, key=lambda ck: ck[0])[1] if costs else None
    if best is not None and _tall_tile_gives_way(problem, best, [k for _, k in costs]):
        best = min(((cost, k) for cost, k in costs if k.warp_rows == 16), key=lambda ck: ck[0])[1]
    return best


def _tall_tile_gives_way(problem: Problem, best: KernelRecord, candidates: list[KernelRecord]) -> bool:
    """Whether prefers_handoff passes over its pick `best`, a 32-row tile under one barrier, for the 16-row tiles:
    below HANDOFF_TALL_PER_TILE_BELOW_RANK, on one segment of at most HANDOFF_TALL_PER_TILE_MAX_ROW_TILES row tiles of
    16 rows (HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_ROW_TILES where h_in is at most
    HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_H_IN), where a 16-row tile's twin with a barrier per row tile is among the
    `candidates`."""
    narrow_in = problem.hidden <= HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_H_IN
    max_row_tiles = HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_ROW_TILES if narrow_in else HANDOFF_TALL_PER_TILE_MAX_ROW_TILES
    return (best.warp_rows > 16 and not best.tile_barrier and problem.rank < HANDOFF_TALL_PER_TILE_BELOW_RANK
            and problem.num_segments == 1 and math.ceil(problem.num_rows / 16) <= max_row_tiles
            and any(k.tile_barrier and k.warp_rows == 16 for k in candidates))


def fused_variant_fits(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether dispatch gives add_lora `problem` to this fused kernel's variant: the one for true ranks exactly where
    B's rows are narrower than the rank (narrow_weights). It runs the other calls too (the per-kernel tests force it),
    but its bound on B's loads cost the full sweep's rank-32 launches up to 7% (benchmarks/NOTES.md, entry 333). The
    variant for packed calls exactly where the launch is packed (problem.pairs > 1): on one slice it runs as one
    pair, its code not the one the selection's measurements were made on."""
    return kernel.true_ranks == problem.narrow_weights and kernel.packed == (problem.pairs > 1)


def prefers_fused(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                  resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1) -> Optional[KernelRecord]:
    """The fused kernel to run add_lora `problem` in one launch (op "fused"), or None when the shrink-expand
    pair is faster. With the cluster sum: the tile whose launch is nearest FUSED_BEST_BLOCKS, ties toward fewer
    blocks, within FUSED_MAX_BLOCKS and the columns its warps and blocks reduce (_cluster_columns_fit); else with the
    grid handoff (prefers_handoff)."""
    fitting = [k for k in kernels if can_run(problem, k) and fused_variant_fits(problem, k)]
    cluster = [k for k in fitting if not uses_handoff(problem, k, columns=False)  # (32-row tiles have none,
               and k.warp_rows == 16 and not k.flat_tiles and not k.tile_barrier]  # nor the handoff's variants)
    if cluster and problem.rank <= FUSED_MAX_RANK:
        best = min(cluster, key=lambda k: (abs(math.log2(fused_blocks(problem, k) / FUSED_BEST_BLOCKS)),
                                           fused_blocks(problem, k)))
        if fused_blocks(problem, best) <= FUSED_MAX_BLOCKS and not uses_handoff(problem, best):
            return best
    return prefers_handoff(problem, fitting, num_sms, resident_blocks)
