"""The standalone shrink and expand on tall batches: the 64-row prefill tile's halves (prefill.cuh's kPhase, codegen's
prefill_phase_tiles; benchmarks/NOTES.md, entry 368).

The shrink and expand kernels' 16- and 32-row tiles read a segment's whole adapter (A or B) from L2 again for every
16-32 rows: at ranks 64-128 that is 2-8 times the bytes of x or y, and sgmv.shrink and sgmv.expand took up to 4-5x
their floor on batches of 512-8192 rows (entry 368). The prefill kernel's 64-row tile reads it a quarter as often and
streams its rows through shared-memory stages; its halves run the standalone ops on such batches: the shrink half
stores v (float32, as the shrink kernels add it), the expand half reads it. Their launch is the prefill kernel's
(launch_plan.plan of phase_problem: persistent clusters walking the row tiles), whose fixed part (~9-11 us on the
H200) the old kernels beat on smaller batches, so the rule takes them by rows and rank (entry 368's H200 sweep:
84 batches of 512-8192 rows over 1-64 segments, 4 shapes, ranks 16, 64, 128):
- from PHASE_WIDE_RANK, 960 rows (15 row tiles) and up: expand 0.33-0.66x the old kernels' time (one 1.01 at
  h_out 3584), shrink 0.25-0.92x (0.82-1.09 where h_in is 2048-4096); at 512 rows either way (0.55-1.42);
- below it (rank 16), the expand from 2048 rows (0.85-0.94x; 1.14-2.0x at 512-1024), the shrink from 4096 (0.83-1.00x;
  1.03-2.2x at 512-2048). Rank 32 takes rank 16's lines (not measured).
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

from .dispatch import PREFILL_H_IN_MULTIPLE, Problem
from .manifest import KernelRecord

PHASES = 1  # 0: never (benchmarks/mid_batches.py's switch: the old kernels' times)
PHASE_ROWS = 64  # the halves' row tile: segments of at least one on average
PHASE_WIDE_RANK = 64  # from this rank the old kernels re-read the adapter at 2-8x the rows' bytes ...
PHASE_WIDE_MIN_ROWS = 15 * PHASE_ROWS  # ... and the halves take batches of 960 rows and up
PHASE_MIN_ROWS = {"shrink": 4096, "expand": 2048}  # below PHASE_WIDE_RANK: from these rows


def takes_half(problem: Problem) -> bool:
    """Whether standalone `problem` (op "shrink" or "expand") is tall enough for its half (the rule above)."""
    rows = PHASE_WIDE_MIN_ROWS if problem.rank >= PHASE_WIDE_RANK else PHASE_MIN_ROWS[problem.op]
    return problem.num_rows >= max(rows, PHASE_ROWS * problem.num_segments)


def can_run_half(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether the prefill half `kernel` runs standalone `problem` (op "shrink" or "expand"), tall or not: one output
    slice of the kernel's rank and dtype, rows 16-byte aligned, and h_in in whole 16-column steps for the shrink's
    MMAs. (Calls with the adapters' true ranks take the shrink and expand kernels: cuda_ops._phase_kernel.)"""
    return (kernel.op == "prefill" and kernel.phase == problem.op and kernel.dtype == problem.dtype
            and kernel.rank == problem.rank and problem.num_slices == 1 and problem.aligned
            and (problem.op != "shrink" or problem.hidden % PREFILL_H_IN_MULTIPLE == 0))


def phase_kernel(problem: Problem, kernels: Iterable[KernelRecord]) -> Optional[KernelRecord]:
    """The prefill half that runs standalone `problem` (can_run_half) where the batch is tall (takes_half), or None
    for the shrink and expand kernels."""
    if not PHASES or problem.op not in PHASE_MIN_ROWS or not takes_half(problem):
        return None
    return next((k for k in kernels if can_run_half(problem, k)), None)


def phase_problem(problem: Problem) -> Problem:
    """The prefill problem whose launch plan a half of standalone `problem` takes: add_lora's, the other half's width
    0 (the half streams none of it, and launch_plan sizes the clusters by the columns a block streams)."""
    h_in, h_out = (problem.hidden, 0) if problem.op == "shrink" else (0, problem.slice_hidden[0])
    return dataclasses.replace(problem, op="prefill", hidden=h_in, slice_hidden=(h_out,), slice_ranks=(problem.rank,),
                               after_shrink=False)
