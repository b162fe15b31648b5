"""The batches whose one-launch pick test_gpu_one_launch.py's tests assert, and the picks they assert given a build's
kernels. test_picks_of_gpu_tests.py checks the same picks on the CPU against a built wheel's manifest under the H200's
counts (`benchmarks/cpu_check_wheel.sh`), so that a dispatch change that moves one fails before a device call, not
during one (NOTES.md, entries 295 and 301)."""
import math
from typing import NamedTuple, Optional, Sequence

from sgmv import dispatch, one_launch
from sgmv.dispatch import Problem
from sgmv.manifest import KernelRecord


class PickCase(NamedTuple):
    """A batch of segments of `sizes` rows, each its own adapter, at h_in -> h_out and `rank`."""
    id: str
    rank: int
    sizes: tuple[int, ...]
    h_out: int
    h_in: int = 4096


def batch_problem(case: PickCase, dtype: str) -> Problem:
    """add_lora's problem for `case` (its longest segment known), as Problem.for_add_lora gives it for fresh tensors
    (the GPU tests assert that it does)."""
    return Problem("fused", dtype, case.rank, case.h_in, sum(case.sizes), len(case.sizes), True, (case.h_out,),
                   (case.rank,), max(case.sizes))


def _built(kernels: Sequence[KernelRecord], problem: Problem, op: str, **fields) -> bool:
    """Whether the build has a kernel of `op` at the problem's rank and dtype with these fields."""
    return any(k.op == op and k.rank == problem.rank and k.dtype == problem.dtype
               and all(getattr(k, name) == value for name, value in fields.items()) for k in kernels)


SKEWED = [PickCase(f"r{rank}", rank, (40, 1, 1, 0, 1, 2, 1, 17, 1) + (1,) * 11, 4096) for rank in (16, 64, 128)]


def takes_flat_handoff(problem: Problem, got: Optional[KernelRecord], kernels: Sequence[KernelRecord],
                       num_sms: int) -> bool:
    """A skewed batch: the fused kernel's flat grid handoff (NOTES entry 135) where the build has one at the rank."""
    return not _built(kernels, problem, "fused", flat_tiles=True) or (got is not None and got.flat_tiles)


WIDE_H_OUT = [PickCase(i, r, tuple(s), 14336) for i, r, s in [
    ("r16-distinct15-two", 16, [1] * 15 + [2]), ("r64-distinct15-empty", 64, [1] * 15 + [0]),
    ("r8-16x16", 8, [16] * 16), ("r8-one-adapter", 8, [256]), ("r32-skewed", 32, [9, 0, 1, 16, 2, 1, 4, 3, 1, 1, 2, 5, 1, 2, 1, 1]),
    ("r64-distinct32", 64, [1] * 32), ("r16-distinct40", 16, [1] * 40), ("r128-distinct16", 128, [1] * 16),
    ("r128-25x3", 128, [3] * 25), ("r64-8x48", 64, [48] * 8), ("r16-16x24", 16, [24] * 16),
    ("r32-32x16", 32, [16] * 32), ("r16-distinct42", 16, [1] * 42), ("r64-80x2", 64, [2] * 80)]]


def takes_handoff_over_pair(problem: Problem, got: Optional[KernelRecord], kernels: Sequence[KernelRecord],
                            num_sms: int) -> bool:
    """A batch of 4096 -> 14336 needing 4-19 column tiles a block: the fused kernel's grid handoff
    (one_launch.handoff_over_pair) where the build has the fused kernel at the rank."""
    return not _built(kernels, problem, "fused") or (
        got is not None and got.op == "fused" and dispatch.uses_handoff(problem, got))


FEW_ROWS = [PickCase(i, r, tuple(s), 14336) for i, r, s in [
    ("r16-20x24", 16, [24] * 20), ("r64-24x20", 64, [20] * 24), ("r32-48x17", 32, [17] * 48),
    ("r16-empty-61x20", 16, [28, 0] + [20] * 60)]]


def takes_short_prefill_tile(problem: Problem, got: Optional[KernelRecord], kernels: Sequence[KernelRecord],
                             num_sms: int) -> bool:
    """Segments of 17-31 rows (two 16-row tiles each, NOTES entries 229-231): the 16-row prefill tile where the build
    has it at the rank."""
    return not _built(kernels, problem, "prefill", warp_rows=16) or (
        got is not None and got.op == "prefill" and got.warp_rows == 16)


WIDE_H_IN = [PickCase(f"{h_in}x{h_out}-r{rank}-{kind}", rank, sizes, h_out, h_in)
             for h_in, h_out in [(14336, 4096), (18944, 3584)] for rank in (32, 64)
             for kind, sizes in [("one-adapter", (256,)), ("two-one-off", (128, 128))]]
WIDE_H_IN_LORAS = {(256,): [3], (128, 128): [0, -1]}  # the second segment's adapter -1


def takes_wide_h_in_tile(problem: Problem, got: Optional[KernelRecord], kernels: Sequence[KernelRecord],
                         num_sms: int) -> bool:
    """Long segments at a wide h_in: the grid handoff's 8-warp 32-row fused tile (NOTES entries 235 and 237) where the
    build has it at the rank."""
    return not _built(kernels, problem, "fused", warp_rows=32, warps=8) or (
        got is not None and got.warp_rows == 32 and got.warps == 8 and dispatch.uses_handoff(problem, got))


ONE_TILE = [PickCase(f"{h_in}x{h_out}-r{rank}-{rows}", rank, (rows,), h_out, h_in) for h_in, h_out, rank, rows in [
    (4096, 4096, 64, 3), (4096, 4096, 32, 6), (4096, 4096, 128, 2), (8192, 8192, 64, 12), (3584, 18944, 64, 8),
    (8192, 3072, 128, 4), (1040, 2056, 64, 5)]]  # (the last: h_in of 33 chunks, under the cap either way; y checked)


def takes_capped_splits(problem: Problem, got: Optional[KernelRecord], kernels: Sequence[KernelRecord],
                        num_sms: int) -> bool:
    """One adapter over a few rows (one row tile, rows x rank over HANDOFF_ONE_TILE_SPLIT_ABOVE): the grid handoff
    with at most HANDOFF_ONE_TILE_MAX_SPLITS splits of h_in, or h_out's column tiles (NOTES entry 396), where the build
    has a whole-rank fused kernel at the rank."""
    if not _built(kernels, problem, "fused", true_ranks=False):
        return True
    if got is None or got.op != "fused" or got.true_ranks or not dispatch.uses_handoff(problem, got):
        return False
    grid = dispatch.handoff_grid(problem, got, num_sms, dispatch.HANDOFF_BLOCKS_PER_SM)
    most = max(dispatch.HANDOFF_ONE_TILE_MAX_SPLITS, dispatch.column_tiles(problem, got))
    return grid is not None and grid[0] * grid[2] == 1 and grid[1] <= most


TALL_ROWS = [PickCase(f"{h_in}x{h_out}-r{rank}-{rows}", rank, (rows,), h_out, h_in) for h_in, h_out, rank, rows in [
    (8192, 8192, 64, 320), (4096, 14336, 16, 480), (14336, 4096, 32, 384), (8192, 8192, 32, 256),
    (8192, 8192, 64, 288), (14336, 4096, 64, 256), (14336, 2048, 32, 160), (3072, 12288, 32, 256),
    (7168, 7168, 32, 288)]]  # (the 4th: 8 row tiles of the 512-column tile, one column tile a block: one barrier; the
# 5th: 9 row tiles, two column tiles a block (16 over 14 splits), and the 8th: 8, two a block (24 over 16), a barrier
# per row tile; the 6th and 7th on the 256-column tile, 8 and 5 row tiles, a barrier per row tile; the last: 9 row
# tiles, one column tile a block (14 over 14 splits), one barrier)


def takes_tall_tile_barrier(problem: Problem, got: Optional[KernelRecord], kernels: Sequence[KernelRecord],
                            num_sms: int) -> bool:
    """One adapter over 160-480 rows on the grid handoff's 32-row tile: its twin with a barrier per row tile from 10
    row tiles on the 512-column tile (NOTES entries 398 and 400), from 8 where its blocks hold two or more column tiles
    (entry 403), from 5 on the 256-column tile (entry 400), else the tile itself, where the build has the twin."""
    if not _built(kernels, problem, "fused", warp_rows=32, tile_barrier=True):
        return True
    if got is None or got.op != "fused" or got.warp_rows != 32 or not dispatch.uses_handoff(problem, got):
        return False
    grid = dispatch.handoff_grid(problem, got, num_sms, 1)
    row_tiles = math.ceil(problem.num_rows / got.warp_rows)
    if grid is None or grid[2] != row_tiles:
        return False
    shared = dispatch._tiles_per_block(problem, got, grid) > 1
    return got.tile_barrier == (row_tiles >= (5 if got.tile_n <= 256 else 8 if shared else 10))


RANK_16_ROWS = [PickCase(f"{h_in}x{h_out}-r16-{rows}", 16, (rows,), h_out, h_in) for h_in, h_out, rows in [
    (8192, 8192, 256), (3072, 8192, 248), (6144, 6144, 256), (7168, 7168, 288), (6144, 4096, 280),
    (7168, 4096, 272), (8192, 8192, 240), (14336, 4096, 288), (8192, 6144, 264)]]
# (the first three: 16 row tiles of 16 rows; the next three: 17-18, h_in at most 7168; the last three: 15 row tiles,
# and 18 and 17 where h_in is over 7168, the 32-row tile under one barrier)


def takes_short_tile_barrier_at_rank_16(problem: Problem, got: Optional[KernelRecord],
                                        kernels: Sequence[KernelRecord], num_sms: int) -> bool:
    """One adapter at rank 16 over 241-256 rows (16 row tiles of 16), where the 32-row 512-column tile would run one
    barrier: the 16-row tile's twin with a barrier per row tile (NOTES entry 404), and over 257-288 rows where h_in is
    at most 7168 (entries 408-411); over 240 rows, or 257-288 with a wider h_in, the 32-row tile, where the
    build has the twin."""
    if not _built(kernels, problem, "fused", warp_rows=16, tile_barrier=True):
        return True
    if got is None or got.op != "fused" or not dispatch.uses_handoff(problem, got):
        return False
    narrow_in = problem.hidden <= 7168
    short = 241 <= problem.num_rows <= (288 if narrow_in else 256)
    return (got.warp_rows, got.tile_barrier) == ((16, True) if short else (32, False))


# The GPU test of one adapter over hundreds of rows (test_gpu_one_launch.py) and its check on the CPU: each batch with
# the check its pick must pass
HUNDREDS_OF_ROWS = ([(pick, takes_tall_tile_barrier) for pick in TALL_ROWS]
                    + [(pick, takes_short_tile_barrier_at_rank_16) for pick in RANK_16_ROWS])


def one_row_pairs(num_sms: int) -> list[PickCase]:
    """One-row batches (segments of 1-2 rows, one empty) of num_sms // 2 + 1, 3 / 4 of num_sms and num_sms segments at
    4096 -> 2056, ranks 8, 16 and 32 (NOTES entry 299)."""
    def sizes(segments: int) -> tuple[int, ...]:
        return tuple(0 if i == 4 else 2 if i % 3 == 2 else 1 for i in range(segments))
    return [PickCase(f"{share}-r{rank}", rank, sizes(segments), 2056)
            for share, segments in [("over_half", num_sms // 2 + 1), ("three_quarters", 3 * num_sms // 4),
                                    ("all", num_sms)] for rank in (8, 16, 32)]


def takes_two_block_pairs(problem: Problem, got: Optional[KernelRecord], kernels: Sequence[KernelRecord],
                          num_sms: int) -> bool:
    """Such a one-row batch: the 16-row tile's kernel of two blocks an SM, launched in clusters of 2, where the build
    has it at the rank (8 and 16; rank 8's through one_launch_padded.padded_one_launch, `got` the kernel that runs).
    The GPU test asserts the launch itself."""
    if not (_built(kernels, problem, "prefill", warp_rows=16, blocks_per_sm=2)
            and one_launch.PREFILL_ONE_ROW_TWO_BLOCK_PAIRS):
        return True
    return (got is not None and got.op == "prefill" and got.blocks_per_sm == 2
            and one_launch.prefill_cluster(problem, got, num_sms, launched=True) == 2)
