"""The standalone shrink and expand on tall batches: the 64-row prefill tile's halves (prefill.cuh's kPhase, codegen's
prefill_phase_tiles; benchmarks/NOTES.md, entry 368).

The shrink and expand kernels' 16- and 32-row tiles read a segment's whole adapter (A or B) from L2 again for every
16-32 rows: at ranks 64-128 over 512-2048 rows that is 2-8 times the bytes of x or y, and sgmv.shrink and
sgmv.expand took 1.3-4.2x their floor there (entry 368, H100). The prefill kernel's 64-row tile reads it a quarter
as often and streams its rows through shared-memory stages; its halves run the standalone ops on such batches: the
shrink half stores v (float32, as the shrink kernels add it), the expand half reads it. Their launch is the prefill
kernel's (launch_plan.plan of phase_problem: persistent clusters walking the row tiles).
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

from .dispatch import PREFILL_H_IN_MULTIPLE, Problem
from .manifest import KernelRecord

PHASE_MIN_MEAN_ROWS = 64  # segments of at least one 64-row tile on average ...
PHASE_MIN_ROWS = 512  # ... in a batch of at least this many rows (8 tiles: fewer leave most SMs idle)


def can_run_half(problem: Problem, kernel: KernelRecord) -> bool:
    """Whether the prefill half `kernel` runs standalone `problem` (op "shrink" or "expand"), tall or not: one output
    slice of the kernel's rank and dtype, rows 16-byte aligned, and h_in in whole 16-column steps for the shrink's
    MMAs. (Calls with the adapters' true ranks take the shrink and expand kernels: cuda_ops._phase_kernel.)"""
    return (kernel.op == "prefill" and kernel.phase == problem.op and kernel.dtype == problem.dtype
            and kernel.rank == problem.rank and problem.num_slices == 1 and problem.aligned
            and (problem.op != "shrink" or problem.hidden % PREFILL_H_IN_MULTIPLE == 0))


def phase_kernel(problem: Problem, kernels: Iterable[KernelRecord]) -> Optional[KernelRecord]:
    """The prefill half that runs standalone `problem` (can_run_half) where the batch is tall (PHASE_MIN_ROWS,
    PHASE_MIN_MEAN_ROWS), or None for the shrink and expand kernels."""
    if problem.num_rows < max(PHASE_MIN_ROWS, PHASE_MIN_MEAN_ROWS * problem.num_segments):
        return None
    return next((k for k in kernels if can_run_half(problem, k)), None)


def phase_problem(problem: Problem) -> Problem:
    """The prefill problem whose launch plan a half of standalone `problem` takes: add_lora's, the other half's width
    0 (the half streams none of it, and launch_plan sizes the clusters by the columns a block streams)."""
    h_in, h_out = (problem.hidden, 0) if problem.op == "shrink" else (0, problem.slice_hidden[0])
    return dataclasses.replace(problem, op="prefill", hidden=h_in, slice_hidden=(h_out,), slice_ranks=(problem.rank,),
                               after_shrink=False)
