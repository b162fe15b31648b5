"""A multi-slice add_lora (a packed projection: q + k + v, gate + up) as one one-slice add_lora a slice, where that
beats the launch pair (benchmarks/NOTES.md, entry 369).

The one-launch kernels take one output slice, so a call with several runs as the launch pair, whose split-K shrink and
expand read a segment's adapter again for every 16-32 rows: 1.35-5.2x the call's floor on batches of 512-8192 rows
(H100, bf16). One call a slice runs each slice on its own one-launch kernel instead, at the price of reading x once a
slice. Entry 369's packed calls (7 packs, ranks 16-128, 64-8192 rows over 8-64 adapters; H100, bf16), one call a
slice against the pair:
- every slice at rank WIDE_RANK or more, from WIDE_MIN_ROWS rows: 0.35-1.14x, a median 0.75x; the losses (5-14%)
  at 2048 rows over 32 adapters at rank 64, where the pair runs at its best;
- ranks under it, from NARROW_MIN_ROWS rows, where x's extra reads are at most NARROW_MAX_EXTRA_X of the call's
  bytes (wide slices, as gate + up): 0.77-1.00x, a median 0.91x; with more of x (q + k + v, 23-56% of the bytes)
  0.86-1.48x, a median 1.07x, and at 512 rows 1.00-1.05x, so those stay on the pair;
- below WIDE_MIN_ROWS (decode), calls of two slices (two launches, as the pair) at rank FEW_ROWS_RANK: 0.64-0.93x
  where it takes them (1-256 rows, 4 packs; entry 369's call 5); at rank 64 0.90-1.21x, with three slices 0.91-1.58x
  at ranks 64-128, and at ranks 16-32 0.98-1.77x (a launch a slice): the pair.
Of entry 369's 196 calls (64-8192 rows) the rule takes 99: a median 0.81x the pair's time on the H100 (0.35-1.14),
0.74x on the H200 (0.28-1.01).
Each slice's call must be one launch (one_launch_padded.one_launch_plan's plan of one step): a slice whose rank runs
as halves or parts, or on the pair, leaves the whole call on the pair (rank 128 at 512 rows of h_in 2048, in halves:
1.28x).

The calls the rule leaves on the pair run as one launch of the fused kernel's variant for packed calls where one takes
them (packed_problem, packed_kernel; codegen's KernelSpec.packed: each slice's blocks a part of grid x, every (segment,
slice) an add_lora of its own sharing the launch), up to PACKED_MAX_SLICES slices of one rank (q + k + v, gate + up),
unless a block of the launch would stream more than PACKED_MAX_BLOCK_COLUMNS columns of weights (its share of h_in and
its column tiles: packed_block_columns) or the grid handoff's per-segment grid would hold more row tiles than the batch
has (dispatch.handoff_flat: lengths the host does not know, one long segment among short ones) and no kernel for packed
calls on the flat grid takes it (PACKED_FLAT; NOTES.md entries 372-373). From NOTES.md entry 371 (H100 bf16, H200
fp16 and bf16; 2-3 slices, ranks 16-64, 1-256 rows over 1-64 adapters, gate + up, q + k + v, k + v and three other
packs): of the 180 calls a packed kernel took, the rule keeps 141 at a median 0.80x the launch pair's time (0.54-1.09;
one loss, q + k + v at rank 16 over 32 one-row segments); of the 39 it leaves, 32 ran 0.97-2.8x the pair and 7
0.75-0.93x (rows in token order from 64 rows, 21 calls: 0.90-2.8x; 48-64 one-row segments of q + k + v: 1.02-1.45x).
Rows in token order from 64 rows now take the kernels on the flat grid (entry 373, as dispatched, H100 bf16, 4 packs,
ranks 16-64, 64-256 rows over 8-16 adapters): 33 of 36 calls at a median 0.89x the pair (0.72-1.02), the 3 others (q +
k + v over 256 rows) on the pair; on the H200 (entry 375) the 33 at 0.85x (0.71-1.03).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable, Iterable, Optional, Sequence

from . import dispatch
from ._abi import MAX_SLICES
from .dispatch import Problem, prefers_fused
from .manifest import KernelRecord
from .one_launch import handoff_over_pair

SLICE_CALLS = 1  # 0: never (benchmarks/slices_probe.py's switch: the launch pair's times)
WIDE_RANK = 64
WIDE_MIN_ROWS = 512
FEW_ROWS_RANK = 128  # below WIDE_MIN_ROWS from this rank, calls of up to PAIR_LAUNCHES slices (no more launches
PAIR_LAUNCHES = 2  # than the pair's two)
NARROW_MIN_ROWS = 1024
NARROW_MAX_EXTRA_X = 0.1
PACKED_LAUNCH = 1  # 0: never (benchmarks/slices_probe.py's switch: the launch pair's times)
PACKED_MAX_SLICES = MAX_SLICES // 2  # a pair of SgmvParams.slices (A, B) a slice
PACKED_FLAT = 1  # 0: the kernels for packed calls on the flat grid never run (entry 373: where they take a call
# with rows in token order, 0.89x the pair on the H100, 0.85x on the H200, bf16; entries 373 and 375)
PACKED_MAX_BLOCK_COLUMNS = 6144  # measured: up to 4608 a block the packed launch won (but one case), from 7680 it lost
# in 7 of 11


def extra_x_share(rows: int, h_in: int, segments: int, ranks: Sequence[int], outs: Sequence[int]) -> float:
    """x's reads past the first, one call a slice, as a share of the packed call's bytes (DESIGN.md's floor, 16-bit
    elements: x once, each slice's weights over the batch's segments, y read and written, v)."""
    call = 2 * (rows * h_in + segments * sum(r * (h_in + h) for r, h in zip(ranks, outs)) + 2 * rows * sum(outs)) \
        + 8 * rows * sum(ranks)
    return 2 * rows * h_in * (len(outs) - 1) / max(1, call)


def takes_shape(rows: int, h_in: int, segments: int, ranks: Sequence[int], outs: Sequence[int]) -> bool:
    """The rule's lines on the call's shape alone (each slice's rank and h_out): asked first, so that a packed call the
    rule leaves on the pair builds no slice's problem or plan (their host time, ~30 us a call)."""
    if not SLICE_CALLS or len(outs) < 2:
        return False
    rank = min(ranks)
    if rank >= WIDE_RANK:
        return rows >= WIDE_MIN_ROWS or (rank >= FEW_ROWS_RANK and len(outs) <= PAIR_LAUNCHES)
    return rows >= NARROW_MIN_ROWS and extra_x_share(rows, h_in, segments, ranks, outs) <= NARROW_MAX_EXTRA_X


def one_launch_each(plans: Sequence[Optional[tuple]]) -> bool:
    """Whether every slice's one-launch plan (None: the launch pair) is one launch."""
    return all(plan is not None and len(plan) == 1 for plan in plans)


def one_call_a_slice(problems: Sequence[Problem], plans: Sequence[Optional[tuple]]) -> bool:
    """Whether a packed add_lora runs as one one-slice add_lora a slice: `problems` each slice's own
    (Problem.for_add_lora over its columns of y), `plans` the one-launch plan of each (None: the launch pair).
    (cuda_ops asks takes_shape, then one_launch_each, so that a call declined on its shape builds no plan.)"""
    first = problems[0]
    return one_launch_each(plans) and takes_shape(first.num_rows, first.hidden, first.num_segments,
                                                  [p.rank for p in problems], [p.slice_hidden[0] for p in problems])


def packed_problem(problems: Sequence[Problem]) -> Optional[Problem]:
    """The problem one packed launch of these slices runs (`problems`: each slice's own, Problem.for_add_lora over its
    columns of y): Problem.pairs the slices, its rows and segments every slice's (the grid's blocks, v's rows in the
    grid handoff's buffer), its h_out the widest slice's (the grid's column tiles); None where one launch does not take
    them: one slice or more than PACKED_MAX_SLICES, ranks, h_in or dtypes that differ, rows or columns not 16-byte
    aligned, B's rows narrower than the rank (the kernels for packed calls read B at their rank)."""
    first = problems[0]
    if not 2 <= len(problems) <= PACKED_MAX_SLICES or not first.rank:
        return None
    if any((p.op, p.rank, p.hidden, p.dtype, p.num_rows, p.num_segments) != (first.op, first.rank, first.hidden,
                                                                            first.dtype, first.num_rows,
                                                                            first.num_segments)
           or not p.aligned or p.narrow_weights for p in problems):
        return None
    count = len(problems)
    return dataclasses.replace(first, num_rows=count * first.num_rows, num_segments=count * first.num_segments,
                               slice_hidden=(max(p.slice_hidden[0] for p in problems),), pairs=count,
                               max_segment_rows=first.longest_segment_bound)  # a segment: one slice's rows at most


def packed_kernel(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                  resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1) -> Optional[KernelRecord]:
    """The fused kernel for packed calls that runs packed_problem's `problem` in one launch, by the fused kernel's
    rules on it (dispatch.prefers_fused: the cluster sum for small launches at ranks up to 16, else the grid handoff,
    whose grid and buffer then hold every slice's blocks and rows; then one_launch.handoff_over_pair's wider limit of
    column tiles a block, as a one-slice call in place of the launch pair), or None: none of them, or the module
    note's lines (the handoff's per-segment grid wasteful where a one-slice call takes the flat grid and no kernel for
    packed calls on the flat grid takes it, or more than PACKED_MAX_BLOCK_COLUMNS a block)."""
    kernels = [k for k in kernels if PACKED_FLAT or not k.flat_tiles]
    kernel = (prefers_fused(problem, kernels, num_sms, resident_blocks)
              or handoff_over_pair(problem, kernels, num_sms, resident_blocks))
    if kernel is None or (dispatch.uses_handoff(problem, kernel) and dispatch.handoff_flat(problem, kernel)
                          and not kernel.flat_tiles):
        return None
    columns = packed_block_columns(problem, kernel, num_sms, resident_blocks(kernel))
    return kernel if columns <= PACKED_MAX_BLOCK_COLUMNS else None


def packed_block_columns(problem: Problem, kernel: KernelRecord, num_sms: int, resident_blocks: int) -> int:
    """Columns of weights a block of the packed launch of `kernel` streams: its share of h_in (the shrink, split over
    grid y with the grid handoff, over the cluster with the cluster sum) and its column tiles of the widest slice."""
    if not dispatch.uses_handoff(problem, kernel):
        return math.ceil(problem.hidden / dispatch.FUSED_CLUSTER) + kernel.tile_n
    grid = dispatch.handoff_grid(problem, kernel, num_sms, resident_blocks)
    splits = grid[1] if grid is not None else 1
    return (math.ceil(problem.hidden / splits)
            + math.ceil(math.ceil(problem.slice_hidden[0] / kernel.tile_n) / splits) * kernel.tile_n)
