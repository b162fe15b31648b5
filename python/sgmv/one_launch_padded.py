"""add_lora at a rank whose own kernels do not take the batch, on the one-launch kernels of a higher rank with every
adapter given the call's rank (padded_one_launch): rank 8's prefill batches on rank 16's prefill kernel, and a rank off
the build's grid (24, 48, 96, ...) on the next rank's kernels. One of the fallbacks after one_launch.one_launch_kernel
(cuda_ops.add_lora: rank_split's halves first), and, where no such kernel takes the batch either, the rank in
consecutive parts each of which one does (rank_parts: 96 as 64 + 32). one_launch_plan puts them in dispatch's order for
add_lora (cuda_ops launches it; the bench names its kernels from it). Split from one_launch.py. Pure functions of
host-known shapes, unit-tested without a GPU (tests/test_one_launch_padded.py); their constants are read at each call,
so tools (benchmarks/dispatch_sweep.py) and tests may set them here.

The kernels that run a padded call read its narrower weights within their bounds: cuda_ops passes a table giving every
adapter the call's rank, and the variants for true ranks (Problem.narrow_weights: can_run takes only those) copy only
A's rows and B's bytes below it: the prefill kernel's (prefill_produce.cuh) and the fused kernel's (its shrink's rows of
A, as every fused kernel's, and its expand's 16-byte pieces of B: fused.cuh's kTrueRanks). v's columns past the rank
stay zero.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterable, Optional

from .dispatch import Problem, can_run
from .manifest import ClusterCounts, KernelRecord
from .one_launch import (ONE_LAUNCH_OPS, PADDED_PREFILL_RANKS, one_launch_kernel, one_launch_problem, prefers_prefill,
                         rank_split)

# Rank 8 has no prefill kernels of its own but a 16-row tile (codegen's PREFILL_SHORT_ONLY_RANKS; one_launch's
# PADDED_PREFILL_RANKS): the batches the prefill kernel takes (long segments, many short ones) run on rank 16's
# prefill kernel, its variant for true ranks. As the launch pair they were 1.04-1.9x their targets in the full sweep;
# so its prefill cases took 0.80-0.94x that time, within their targets, and distinct bs64 0.79-0.86x (NOTES.md,
# entry 137).
# With PADDED_PREFILL_OWN_TILE, where the build has the chosen kernel's tile at the call's own rank (rank 8's 16-row
# tile), that kernel runs the batch instead, at its rank with no table of ranks: rank 16's tile issues its copies past
# rank 8 too, zero-filled, and its time goes as its copies (entry 170). It took the full sweep's 12 such cases a dtype
# to 0.72-0.97x (distinct bs256 0.72-0.74x; entries 173-174).
PADDED_PREFILL = 1  # 0: never (dispatch_sweep's switch)
PADDED_PREFILL_OWN_TILE = 1  # 0: rank 16's variant for true ranks everywhere (dispatch_sweep's switch)
# A rank off the build's grid (no one-launch kernel of its own: 24, 48, 96, ...) runs on the kernels of the next rank
# up, in whole PADDED_RANK_STEP elements: B's rows must be whole 16-byte pieces, which the kernels read from 16-byte
# aligned addresses (rank 4's and 12's rows are not: they keep the any-rank launch pair). Its prefill batches on the
# prefill kernel's variant for true ranks took 0.31-0.79x the pair's time (entry 325). With PADDED_OFF_GRID_FUSED its
# batch goes to one_launch_kernel at the padded rank with true ranks, so its decode batches run the fused kernel too
# (entry 333); 0: the prefill kernel only, as entry 325 had it (dispatch_sweep's switch).
PADDED_OFF_GRID = 1  # 0: ranks off the grid keep the launch pair
PADDED_OFF_GRID_FUSED = 1
PADDED_RANK_STEP = 8


def off_grid_rank(rank: int, kernels: Iterable[KernelRecord]) -> Optional[int]:
    """The rank whose one-launch kernels run add_lora at `rank`, a rank off the build's grid (no fused, prefill or
    gemv kernel of its own) in whole PADDED_RANK_STEP elements: the next rank up with a variant for true ranks, the
    fused kernel's or the prefill kernel's (only those read a narrower B within bounds); else None (PADDED_OFF_GRID 0
    too)."""
    kernels = list(kernels)
    if (not PADDED_OFF_GRID or rank <= 0 or rank % PADDED_RANK_STEP
            or any(k.rank == rank and k.op in ONE_LAUNCH_OPS for k in kernels)):
        return None
    return min((k.rank for k in kernels if k.rank > rank and k.true_ranks and k.op in ("fused", "prefill")), default=None)


def padded_one_launch(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                      resident_blocks: Optional[Callable[[KernelRecord], int]] = None,
                      resident_clusters: Optional[ClusterCounts] = None
                      ) -> Optional[tuple[Problem, KernelRecord]]:
    """For add_lora `problem` (op "fused") with one output slice, no true ranks in the call and no one-launch kernel
    at its own rank that takes it: (the problem the chosen kernel runs, that kernel), or None for the launch pair.
    A rank of PADDED_PREFILL_RANKS: its prefill batches at that rank with true ranks on the prefill kernel's variant for
    them, or (PADDED_PREFILL_OWN_TILE) the problem at its own rank on that kernel's tile at it where the build has one.
    Another rank off the grid (off_grid_rank): the problem at the padded rank with true ranks and one_launch_kernel's
    pick for it (PADDED_OFF_GRID_FUSED; else only a prefill kernel's, as for rank 8)."""
    kernels = list(kernels)
    blocks = resident_blocks or (lambda kernel: 1)
    if problem.true_ranks or problem.num_slices != 1:
        return None
    if one_launch_kernel(problem, kernels, num_sms, blocks, resident_clusters=resident_clusters) is not None:
        return None
    rank_8 = problem.rank in PADDED_PREFILL_RANKS
    to = (PADDED_PREFILL_RANKS[problem.rank] if PADDED_PREFILL else None) if rank_8 else off_grid_rank(problem.rank,
                                                                                                    kernels)
    if to is None:
        return None
    padded = dataclasses.replace(problem, rank=to, slice_ranks=(to,), true_ranks=True, narrow_weights=True)
    if not rank_8 and PADDED_OFF_GRID_FUSED:
        kernel = one_launch_kernel(padded, kernels, num_sms, blocks, resident_clusters=resident_clusters)
        return None if kernel is None else (padded, kernel)
    padded = dataclasses.replace(padded, op="prefill")
    kernel = prefers_prefill(padded, kernels, num_sms, resident_blocks, second_wave_over_pair=False,
                             resident_clusters=resident_clusters)
    if kernel is None:
        return None
    if PADDED_PREFILL_OWN_TILE:
        own = dataclasses.replace(problem, op="prefill")
        tile = (kernel.warp_rows, kernel.tile_n, kernel.blocks_per_sm)
        same_tile = next((k for k in kernels if can_run(own, k) and not k.true_ranks
                          and (k.warp_rows, k.tile_n, k.blocks_per_sm) == tile), None)
        if same_tile is not None:
            return own, same_tile
    return padded, kernel


# A rank that no one-launch path takes whole, in whole PADDED_RANK_STEP elements (96 over 64-256 one-row segments, whose
# padded rank 128 runs such batches as rank_split's halves; every rank past the grid's largest, but its double where
# rank_split's halves take the batch), runs
# as one-launch add_loras over consecutive parts of the rank: (x A^T) B^T is the sum over parts p of (x A_p^T) B_p^T,
# A_p a run of A's rows and B_p the same columns of B (views; B_p starts a multiple of 8 elements into each row, so
# 16-byte aligned as the whole). Each part is the largest rank of the grid whose one-launch kernels take the batch,
# the last the rest where one_launch_or_padded takes it; at most RANK_PARTS_MAX of them. x is read and y read and
# written once a part, and y rounded to its dtype after each. The launch pair they replace runs the any-rank kernels:
# over ranks 88-512 at h4096-8192 and 4096 -> 14336, 1-256 one-row segments, 4-row segments and 1024-row prefill, the
# parts took 0.60-0.96x its time, about even at rank 512 over 64 one-row segments, and lost only at 88 with h_out
# 14336 (1.01-1.05x: its 24 on rank 32's prefill variant there); RANK_PARTS_PADDED 0 (no padded part: 88 as 64 + 16
# + 8 where rank 8 has a kernel for the batch) was 1.06-1.30x slower at h4096-8192 (NOTES.md, entry 336).
RANK_PARTS = 1  # 0: never (the launch pair; dispatch_sweep's switch)
RANK_PARTS_MAX = 4
RANK_PARTS_PADDED = 1  # 0: the last part too only at a rank of its own kernels (dispatch_sweep's switch)


def one_launch_or_padded(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                         resident_blocks: Optional[Callable[[KernelRecord], int]] = None,
                         resident_clusters: Optional[ClusterCounts] = None
                         ) -> Optional[tuple[Problem, KernelRecord]]:
    """add_lora `problem` in one launch: (the problem the kernel runs, the kernel), one_launch_kernel's pick at the
    call's own rank, else padded_one_launch's; None where neither takes it."""
    kernels = list(kernels)
    own = one_launch_kernel(problem, kernels, num_sms, resident_blocks or (lambda kernel: 1),
                            resident_clusters=resident_clusters)
    if own is not None:
        return problem, own
    return padded_one_launch(problem, kernels, num_sms, resident_blocks, resident_clusters)


def rank_parts(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
               resident_blocks: Optional[Callable[[KernelRecord], int]] = None,
               resident_clusters: Optional[ClusterCounts] = None) -> Optional[tuple[int, ...]]:
    """The ranks of the consecutive parts of `problem`'s rank (add_lora, op "fused") that run it as one one-launch
    add_lora each, or None: RANK_PARTS off, true ranks in the call, several output slices, a rank off whole
    PADDED_RANK_STEP elements, one launch taking it whole, or no split into at most RANK_PARTS_MAX parts."""
    if (not RANK_PARTS or problem.true_ranks or problem.num_slices != 1 or problem.rank <= 0
            or problem.rank % PADDED_RANK_STEP):
        return None
    kernels = list(kernels)
    blocks = resident_blocks or (lambda kernel: 1)

    def own(rank: int) -> bool:  # a one-launch kernel at this rank takes the batch
        at = dataclasses.replace(problem, rank=rank, slice_ranks=(rank,))
        return one_launch_kernel(at, kernels, num_sms, blocks, resident_clusters=resident_clusters) is not None

    def last(rank: int) -> bool:  # the rest in one launch: at its own rank, or (RANK_PARTS_PADDED) padded too
        at = dataclasses.replace(problem, rank=rank, slice_ranks=(rank,))
        if not RANK_PARTS_PADDED:
            return own(rank)
        return one_launch_or_padded(at, kernels, num_sms, blocks, resident_clusters) is not None

    grid = sorted({k.rank for k in kernels if k.op in ONE_LAUNCH_OPS and k.rank % PADDED_RANK_STEP == 0},
                  reverse=True)
    parts: list[int] = []
    rest = problem.rank
    while len(parts) < RANK_PARTS_MAX:
        if last(rest):
            return tuple(parts + [rest]) if parts else None
        part = next((rank for rank in grid if rank < rest and own(rank)), None)
        if part is None:
            return None
        parts.append(part)
        rest -= part
    return None


@dataclasses.dataclass(frozen=True)
class OneLaunch:
    """One launch of add_lora's one-launch plan: `part`, the add_lora it computes (the call's, or a run of its rank: A's
    rows and B's columns first..first + part.rank, the rest of the call as it is), and the kernel that runs it as
    `run`, the problem that kernel is checked and planned with (`part`, or a higher rank's with true ranks where padded:
    then every adapter is given part.rank, needs_rank_table), its op the kernel's (one_launch_problem)."""

    first: int
    part: Problem
    run: Problem
    kernel: KernelRecord

    def __post_init__(self):
        object.__setattr__(self, "run", one_launch_problem(self.run, self.kernel))

    @property
    def needs_rank_table(self) -> bool:
        """The kernel reads adapters' ranks the call does not give: a table of part.rank for each (padded)."""
        return self.run.true_ranks and not self.part.true_ranks


def one_launch_plan(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                    resident_blocks: Optional[Callable[[KernelRecord], int]] = None,
                    resident_clusters: Optional[ClusterCounts] = None) -> Optional[tuple[OneLaunch, ...]]:
    """add_lora `problem` (op "fused" with one output slice, as Problem.for_add_lora gives it; sm_90) as one-launch
    kernels, in dispatch's order: one_launch_kernel's at the call's rank (the only path where the call gives true
    ranks); else the two halves of the rank where rank_split takes the batch; else padded_one_launch's higher rank;
    else the parts of rank_parts. Each half and part runs as one_launch_or_padded picks it at its rank (a half may thus
    take the 16-row prefill tile's second wave, which rank_split's test of it does not count on). None: the launch
    pair (cuda_ops.add_lora's last path)."""
    kernels = list(kernels)
    blocks = resident_blocks or (lambda kernel: 1)
    own = one_launch_kernel(problem, kernels, num_sms, blocks, resident_clusters=resident_clusters)
    if own is not None:
        return (OneLaunch(0, problem, problem, own),)
    if problem.true_ranks or problem.num_slices != 1:
        return None
    half = rank_split(problem, kernels, num_sms, blocks, resident_clusters)
    halves = half and _in_parts(problem, (half.rank, half.rank), kernels, num_sms, blocks, resident_clusters)
    if halves:
        return halves
    padded = padded_one_launch(problem, kernels, num_sms, blocks, resident_clusters)
    if padded is not None:
        return (OneLaunch(0, problem, *padded),)
    ranks = rank_parts(problem, kernels, num_sms, blocks, resident_clusters)
    return ranks and _in_parts(problem, ranks, kernels, num_sms, blocks, resident_clusters)


def _in_parts(problem: Problem, ranks: tuple[int, ...], kernels: list[KernelRecord], num_sms: int,
              resident_blocks: Callable[[KernelRecord], int], resident_clusters: Optional[ClusterCounts]
              ) -> Optional[tuple[OneLaunch, ...]]:
    """One launch a consecutive part of the rank, of these ranks, each as one_launch_or_padded picks it; None where
    one of them has no such pick."""
    launches, first = [], 0
    for rank in ranks:
        part = dataclasses.replace(problem, rank=rank, slice_ranks=(rank,))
        chosen = one_launch_or_padded(part, kernels, num_sms, resident_blocks, resident_clusters)
        if chosen is None:
            return None
        launches.append(OneLaunch(first, part, *chosen))
        first += rank
    return tuple(launches)
