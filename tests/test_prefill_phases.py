"""Dispatch of the standalone shrink and expand to the 64-row prefill tile's halves (sgmv/prefill_phases.py), on the
CPU: which calls take them (rank, rows, segments, slices, alignment, h_in's 16-column steps), that add_lora's prefill
picks never do, and the launch plan a half takes."""
import dataclasses

import pytest

from sgmv import one_launch, prefill_phases
from sgmv.dispatch import Problem, can_run
from sgmv.launch_plan import plan
from dispatch_records import GRID_PREFILL, prefill_prob, rec

HALVES = [rec(op="prefill", rank=r, hidden=0, warps=11, warp_rows=64, tile_n=128, threads=352, phase=ph,
              smem_bytes=200000) for r in (16, 32, 64, 128) for ph in ("shrink", "expand")]
KERNELS = GRID_PREFILL + HALVES


def standalone(op, rank=64, rows=4096, segs=4, hidden=4096, aligned=True, slices=1):
    return Problem(op, "bf16", rank, hidden, rows, segs, aligned, (hidden,) * slices, (rank,) * slices)


@pytest.mark.parametrize("op", ["shrink", "expand"])
def test_tall_batches_take_the_half_of_their_op_and_rank(op):
    for rank in (16, 32, 64, 128):
        got = prefill_phases.phase_kernel(standalone(op, rank, rows=8192, segs=8), KERNELS)
        assert (got.phase, got.rank) == (op, rank)


@pytest.mark.parametrize("op", ["shrink", "expand"])
def test_the_rule_s_lines_by_rank_and_rows(op):
    """From PHASE_WIDE_RANK: 960 rows (15 tiles) and up; below it PHASE_MIN_ROWS of the op; and at least a 64-row tile
    a segment on average, whatever the rows."""
    wide = prefill_phases.PHASE_WIDE_MIN_ROWS
    narrow = prefill_phases.PHASE_MIN_ROWS[op]
    assert wide == 960 and narrow == {"shrink": 4096, "expand": 2048}[op]
    for rank, line in ((64, wide), (128, wide), (16, narrow), (32, narrow)):
        assert prefill_phases.phase_kernel(standalone(op, rank, rows=line, segs=1), KERNELS) is not None
        assert prefill_phases.phase_kernel(standalone(op, rank, rows=line - 1, segs=1), KERNELS) is None
        segs = line // prefill_phases.PHASE_ROWS
        assert prefill_phases.phase_kernel(standalone(op, rank, rows=line, segs=segs), KERNELS) is not None
        assert prefill_phases.phase_kernel(standalone(op, rank, rows=line, segs=segs + 1), KERNELS) is None


def test_calls_the_halves_do_not_run():
    """Several output slices, unaligned rows, an h_in off the shrink's 16-column steps, a rank without a half (8,
    or one off the grid), another op, or the switch off: the shrink and expand kernels."""
    for problem in (standalone("expand", slices=2), standalone("shrink", slices=2), standalone("shrink", aligned=False),
                    standalone("shrink", hidden=4104), standalone("shrink", rank=8), standalone("expand", rank=48),
                    dataclasses.replace(standalone("shrink"), op="fused")):
        assert prefill_phases.phase_kernel(problem, KERNELS) is None, problem
    assert prefill_phases.phase_kernel(standalone("expand", hidden=4104), KERNELS) is not None  # h_out: 8-column
    problem = standalone("expand")
    assert prefill_phases.phase_kernel(problem, KERNELS) is not None
    try:
        prefill_phases.PHASES = 0
        assert prefill_phases.phase_kernel(problem, KERNELS) is None
    finally:
        prefill_phases.PHASES = 1


def test_add_lora_s_prefill_picks_never_take_a_half():
    problem = prefill_prob(rank=64)
    assert not any(can_run(problem, k) for k in HALVES)
    assert one_launch.prefers_prefill(problem, KERNELS, 132).phase == ""


@pytest.mark.parametrize("op", ["shrink", "expand"])
def test_a_half_launches_as_the_prefill_kernel_on_its_own_columns(op):
    """phase_problem: add_lora's prefill problem with the other half's width 0, so the plan sizes clusters by the
    columns the half streams: persistent clusters (grid y the cluster) of at most the tiles."""
    problem = standalone(op, 128, rows=960, segs=1, hidden=13824)
    half = prefill_phases.phase_problem(problem)
    assert half.op == "prefill" and (half.hidden, half.slice_hidden) == ((13824, (0,)) if op == "shrink" else
                                                                         (0, (13824,)))
    kernel = prefill_phases.phase_kernel(problem, KERNELS)
    launch = plan(half, kernel, 132, clusters=True, resident_blocks=1)
    assert launch.cluster in (1, 2, 4, 8) and launch.grid[1] == launch.cluster and 1 <= launch.grid[0] <= 16  # tiles
