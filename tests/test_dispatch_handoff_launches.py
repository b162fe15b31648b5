"""Dispatch's rules for the grid handoff's launches past the choice of a fused kernel (test_dispatch.py): the 32-row
tiles for long segments, the twins with a barrier per row tile, the tiles of launches of one barrier and the cap on a
launch of one row tile's splits of h_in. Pure functions of shapes; no GPU needed."""
import dataclasses
import math

import pytest

from sgmv import dispatch
from sgmv.launch_plan import plan
from sgmv.errors import UnsupportedError
from dispatch_records import FLAT, FUSED, HANDOFF, TALL, TILE_BARRIER, fused_prob, rec, tall_tile_occupancy


def test_tall_fused_tiles_take_long_segments_through_the_grid_handoff():
    """Fused kernels of 32-row tiles (extra tiles, NOTES entry 128) run with the grid handoff only, and only for batches
    of at least HANDOFF_TALL_MIN_MEAN_ROWS rows a segment where they give fewer column tiles a block: one adapter over
    256 rows at h8192 r64 takes 8 row tiles x 16 splits, one column tile a block, over the 16-row tiles' 16 x 16 of
    two tiles each; at h4096 (one tile a block either way) and over 64 rows the 16-row tiles stay."""
    identical = dataclasses.replace(fused_prob(h_in=8192, h_out=8192, rank=64, rows=256, segs=1), max_segment_rows=256)
    got = dispatch.prefers_fused(identical, HANDOFF + TALL, 132, tall_tile_occupancy)
    assert got is TALL[1] and dispatch.handoff_grid(identical, got, 132, 1) == (1, 16, 8)
    assert dispatch._tiles_per_block(identical, got, (1, 16, 8)) == 1
    uniform = dataclasses.replace(identical, num_segments=16, max_segment_rows=16)  # 16 rows a segment: too short
    assert dispatch.prefers_fused(uniform, HANDOFF + TALL, 132, tall_tile_occupancy) in HANDOFF
    bs64 = dataclasses.replace(identical, num_rows=64, max_segment_rows=64)
    assert dispatch.prefers_fused(bs64, HANDOFF + TALL, 132, tall_tile_occupancy) in HANDOFF
    h4096 = dataclasses.replace(identical, hidden=4096, slice_hidden=(4096,))  # a tie at one column tile a block
    assert dispatch.prefers_fused(h4096, HANDOFF + TALL, 132, tall_tile_occupancy) is HANDOFF[1]
    r16 = dataclasses.replace(identical, rank=16, slice_ranks=(16,))
    assert dispatch.uses_handoff(r16, TALL[0]) and not dispatch._cluster_sum_fits(r16, TALL[0])
    assert dispatch.prefers_fused(r16, FUSED + TALL, 132) is TALL[0]


@pytest.mark.parametrize("rows, segs, per_tile", [
    (256, 1, False),   # 8 row tiles of 32 rows: one barrier (0.95-1.08x with a barrier per row tile, NOTES entry 398)
    (288, 1, True),    # 9, but 16 column tiles over 14 splits: two a block, HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES
    (320, 1, True),    # 10: HANDOFF_TILE_BARRIER_TALL_MIN_TILES
    (480, 1, True),    # 15
    (320, 2, False),   # two segments of 160 rows, 10 row tiles: not measured, so from 16 as the 16-row tiles
])
def test_one_segment_on_tall_tiles_takes_the_barrier_per_row_tile_from_10_row_tiles(rows, segs, per_tile, monkeypatch):
    """Below HANDOFF_TILE_BARRIER_WIDE_RANK a launch of one segment on the 32-row 512-column tile runs the twin with a
    barrier per row tile from HANDOFF_TILE_BARRIER_TALL_MIN_TILES (10) row tiles (one adapter over 320-480 rows:
    0.91-1.01x, NOTES entries 398 and 400), from 8 where a block holds two column tiles; launches of several segments,
    and the 16-row tiles, from 16."""
    kernels = HANDOFF + TALL + [dataclasses.replace(k, tile_barrier=True) for k in HANDOFF + TALL]
    problem = dataclasses.replace(fused_prob(h_in=8192, h_out=8192, rank=64, rows=rows, segs=segs),
                                  max_segment_rows=rows // segs)
    got = dispatch.prefers_fused(problem, kernels, 132, tall_tile_occupancy)
    grid = dispatch.handoff_grid(problem, got, 132, tall_tile_occupancy(got))
    tiles = dispatch._tiles_per_block(problem, got, grid)
    assert got.warp_rows == 32 and got.tile_n == 512 and grid[0] * grid[2] == math.ceil(rows / segs / 32) * segs
    assert got.tile_barrier == per_tile == dispatch.wants_tile_barrier(grid, 64, 32, 512, tiles)
    assert not dispatch.wants_tile_barrier(grid, 64, 16)  # the 16-row tiles' threshold: 16 row tiles
    monkeypatch.setattr(dispatch, "HANDOFF_TILE_BARRIER_TALL_MIN_TILES", 16)  # as before entry 398
    monkeypatch.setattr(dispatch, "HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES", 16)  # as before entry 403
    assert not dispatch.prefers_fused(problem, kernels, 132, tall_tile_occupancy).tile_barrier


@pytest.mark.parametrize("rows, per_tile", [
    (224, False),  # 7 row tiles of 32 rows: not measured
    (240, True),   # 8: HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES (0.92-0.99x at 240-288 rows, NOTES entry 403)
    (256, True),
    (288, True),   # 9
])
def test_one_segment_on_tall_tiles_of_two_column_tiles_a_block_takes_the_barrier_per_row_tile_from_8(rows, per_tile,
                                                                                                     monkeypatch):
    """Where a block of the 32-row 512-column tile holds two column tiles (3072 -> 12288: 24 tiles over 16 splits),
    one adapter's launch runs the twin with a barrier per row tile from HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES (8)
    row tiles: a block's two expands follow its own row tile's shrink, not the whole launch's (NOTES entry 403: 240-288
    rows at three shapes, ranks 16-64, 0.92-0.99x); where each block holds one (h8192 over 256 rows) from 10."""
    kernels = HANDOFF + TALL + [dataclasses.replace(k, tile_barrier=True) for k in HANDOFF + TALL]
    problem = dataclasses.replace(fused_prob(h_in=3072, h_out=12288, rank=64, rows=rows, segs=1),
                                  max_segment_rows=rows)
    got = dispatch.prefers_fused(problem, kernels, 132, tall_tile_occupancy)
    grid = dispatch.handoff_grid(problem, got, 132, tall_tile_occupancy(got))
    assert (got.warp_rows, got.tile_n) == (32, 512) and grid[2] == math.ceil(rows / 32)
    assert dispatch._tiles_per_block(problem, got, grid) == 2 and got.tile_barrier == per_tile
    assert not dispatch.wants_tile_barrier(grid, 64, 32, 512, 1)  # one column tile a block: from 10 row tiles
    monkeypatch.setattr(dispatch, "HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES", 10)  # as before entry 403
    assert not dispatch.prefers_fused(problem, kernels, 132, tall_tile_occupancy).tile_barrier


@pytest.mark.parametrize("rows, segs, per_tile", [
    (160, 1, True),    # 5 row tiles of 32 rows: HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES (0.97-1.01x, NOTES entry 400)
    (200, 1, True),    # 7: 0.96-0.98x
    (256, 1, True),    # 8: 0.93-0.99x
    (384, 2, False),   # two segments of 192 rows, 12 row tiles: not measured, so from 16 as the 16-row tiles
])
def test_one_segment_on_the_256_column_tall_tile_takes_the_barrier_per_row_tile_from_5_row_tiles(rows, segs, per_tile,
                                                                                                  monkeypatch):
    """The 32-row 256-column tile, which one adapter at rank 64 takes at 14336 -> 4096 (its warps reduce half the
    columns of h_in), runs its twin with a barrier per row tile from HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES (5)
    row tiles: over 160-256 rows at six such shapes 0.93-1.01x, median 0.97 (NOTES entry 400); the 512-column tile
    from 10 on the same grid."""
    tall = rec(op="fused", rank=64, hidden=0, warps=8, warp_rows=32, tile_n=256, unroll=4, threads=256)
    kernels = HANDOFF + [tall] + [dataclasses.replace(k, tile_barrier=True) for k in HANDOFF + [tall]]
    problem = dataclasses.replace(fused_prob(h_in=14336, h_out=4096, rank=64, rows=rows, segs=segs),
                                  max_segment_rows=rows // segs)
    got = dispatch.prefers_fused(problem, kernels, 132, tall_tile_occupancy)
    grid = dispatch.handoff_grid(problem, got, 132, tall_tile_occupancy(got))
    assert (got.warp_rows, got.tile_n) == (32, 256) and grid[0] * grid[2] == math.ceil(rows / segs / 32) * segs
    assert got.tile_barrier == per_tile == dispatch.wants_tile_barrier(grid, 64, got.warp_rows, 256)
    assert not dispatch.wants_tile_barrier(grid, 64, 32, 512) or grid[0] * grid[2] >= 10
    monkeypatch.setattr(dispatch, "HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES", 9)  # as before entry 400
    assert dispatch.prefers_fused(problem, kernels, 132, tall_tile_occupancy).tile_barrier == (per_tile and rows > 256)


@pytest.mark.parametrize("h_in, h_out, rank, want_rows", [
    (14336, 4096, 64, 32),  # 112 columns of h_in a warp on the 32-row tile, 224 on the 16-row one (entry 235)
    (14336, 4096, 32, 32),
    (4096, 4096, 64, 16),   # 64 and 32 columns a warp: no halving either way, 16 rows first (entry 128: 1.09-1.19x)
    (14336, 4096, 16, 16),  # below HANDOFF_MIN_RANK the halvings are not counted
])
def test_tall_tiles_take_a_tie_of_column_tiles_where_their_warps_reduce_fewer_columns(h_in, h_out, rank, want_rows):
    """One adapter over 256 rows: on a tie of column tiles a block (one each), from HANDOFF_MIN_RANK the halvings of
    HANDOFF_MAX_WARP_COLUMNS columns of h_in a warp come before the rows a tile, so the 8-warp 32-row tile (half the
    columns a warp on as many splits) runs at 14336 -> 4096 (NOTES entry 235: 0.94-0.97x), and the 16-row tile where
    neither halves."""
    tall = rec(op="fused", rank=rank, hidden=0, warps=8, warp_rows=32, tile_n=256, unroll=4, threads=256)
    kernels = [dataclasses.replace(k, rank=rank) for k in HANDOFF] + [tall]
    identical = dataclasses.replace(fused_prob(h_in=h_in, h_out=h_out, rank=rank, rows=256, segs=1),
                                    max_segment_rows=256)
    got = dispatch.prefers_fused(identical, kernels, 132, tall_tile_occupancy)
    assert got.warp_rows == want_rows and got.tile_n == 256
    grid = dispatch.handoff_grid(identical, got, 132, tall_tile_occupancy(got))
    assert dispatch._tiles_per_block(identical, got, grid) == 1


def test_rank_128_s_tall_fused_tile_takes_one_adapter_over_256_rows():
    """Rank 128's 32-row tile (4 warps x 128 columns, two blocks an SM: its shrink in rank halves, NOTES entry 209)
    takes one adapter over 256 rows, where it gives two column tiles a block to the 16-row tile's four (h8192: 8 row
    tiles x 32 splits against 16 x 16); batches under HANDOFF_TALL_MIN_MEAN_ROWS rows a segment keep the 16-row tile."""
    short = rec(op="fused", rank=128, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=1, threads=128)
    tall = rec(op="fused", rank=128, hidden=0, warps=4, warp_rows=32, tile_n=128, unroll=2, threads=128)
    identical = dataclasses.replace(fused_prob(h_in=8192, h_out=8192, rank=128, rows=256, segs=1),
                                    max_segment_rows=256)
    def two_an_sm(kernel):
        return 2
    assert dispatch.prefers_fused(identical, [short, tall], 132, two_an_sm) is tall
    assert dispatch.handoff_grid(identical, tall, 132, 2) == (1, 32, 8)
    assert dispatch._tiles_per_block(identical, tall, (1, 32, 8)) == 2
    assert dispatch._tiles_per_block(identical, short, dispatch.handoff_grid(identical, short, 132, 2)) == 4
    bs64 = dataclasses.replace(identical, num_rows=64, max_segment_rows=64)
    assert dispatch.prefers_fused(bs64, [short, tall], 132, two_an_sm) is short


def test_tall_fused_tiles_never_take_the_cluster_sum(monkeypatch):
    """Tiles of 32 rows carry no cluster sum (fused.cuh traps there): with the grid handoff off they run nothing."""
    monkeypatch.setattr(dispatch, "HANDOFF_ENABLED", False)
    identical = dataclasses.replace(fused_prob(h_in=8192, h_out=8192, rank=16, rows=256, segs=1), max_segment_rows=256)
    small = dataclasses.replace(fused_prob(rank=16, rows=1, segs=1), max_segment_rows=1)
    assert dispatch.prefers_fused(identical, TALL, 132) is None and dispatch.prefers_fused(small, TALL, 132) is None
    assert dispatch.prefers_fused(small, FUSED + TALL, 132) in FUSED


@pytest.mark.parametrize("rows, segs, longest, per_tile", [
    (16, 16, 1, True),      # distinct bs16: 16 row tiles
    (256, 16, 16, True),    # uniform bs256: 16
    (256, 1, 256, True),    # identical bs256: 16 row tiles of one segment
    (64, 1, 64, False),     # identical bs64: 4
    (64, 8, 8, False),      # uniform bs64: 8
    (1, 1, 1, False),       # one row
])
def test_handoff_launches_of_many_row_tiles_take_the_barrier_per_row_tile(rows, segs, longest, per_tile, monkeypatch):
    """A grid handoff launch of HANDOFF_TILE_BARRIER_MIN_TILES row tiles or more (grid x times z) runs its kernel's
    variant with a barrier per row tile where the build has it (NOTES entry 249), with the same grid; fewer row tiles
    run the kernel itself, and so does every launch of a build without the variants. The variants never run with the
    cluster sum, the flat grid or the handoff off."""
    problem = dataclasses.replace(fused_prob(h_in=4096, h_out=4096, rank=64, rows=rows, segs=segs),
                                  max_segment_rows=longest)
    plain = dispatch.prefers_fused(problem, HANDOFF, 132, lambda kernel: 2)
    got = dispatch.prefers_fused(problem, HANDOFF + TILE_BARRIER, 132, lambda kernel: 2)
    assert got == dataclasses.replace(plain, tile_barrier=per_tile)
    grid = dispatch.handoff_grid(problem, got, 132, 2)
    assert grid == dispatch.handoff_grid(problem, plain, 132, 2)
    assert dispatch.wants_tile_barrier(grid, 64) == per_tile == (grid[0] * grid[2] >= 16)
    launch = plan(problem, got, 132, clusters=True, resident_blocks=2)
    assert launch.handoff and not launch.flat and launch.grid == grid
    monkeypatch.setattr(dispatch, "HANDOFF_TILE_BARRIER_MIN_TILES", 1_000_000)  # dispatch_sweep's "never"
    assert dispatch.prefers_fused(problem, HANDOFF + TILE_BARRIER, 132, lambda kernel: 2) == plain
    monkeypatch.setattr(dispatch, "HANDOFF_TILE_BARRIER_MIN_TILES", 1)
    assert dispatch.prefers_fused(problem, HANDOFF + TILE_BARRIER, 132, lambda kernel: 2).tile_barrier
    assert dispatch.prefers_fused(problem, TILE_BARRIER, 132, lambda kernel: 2).tile_barrier
    monkeypatch.setattr(dispatch, "HANDOFF_ENABLED", False)
    got = dispatch.prefers_fused(problem, HANDOFF + TILE_BARRIER, 132)
    assert got is None or not got.tile_barrier
    with pytest.raises(UnsupportedError, match="grid handoff"):
        plan(problem, TILE_BARRIER[0], 132, clusters=True)


@pytest.mark.parametrize("rank, rows, segs, longest, tiles, per_tile", [
    (128, 128, 1, 128, 8, True),  # identical bs128: 8 row tiles of 16 rows
    (128, 64, 8, 8, 8, True),     # uniform bs64
    (128, 80, 5, 16, 5, True),    # the threshold
    (128, 64, 1, 64, 4, False),   # identical bs64
    (128, 16, 4, 4, 4, False),    # uniform bs16: 4 segments of 4 rows
    (64, 128, 1, 128, 8, False),  # below HANDOFF_TILE_BARRIER_WIDE_RANK: from 16 row tiles only
])
def test_wide_rank_launches_take_the_barrier_per_row_tile_from_5_row_tiles(rank, rows, segs, longest, tiles, per_tile):
    """From HANDOFF_TILE_BARRIER_WIDE_RANK (128) a grid handoff launch of HANDOFF_TILE_BARRIER_WIDE_MIN_TILES (5) row
    tiles or more runs the twin with a barrier per row tile (NOTES entries 255, 257); below it, from 16 (entry 249)."""
    kernels = [dataclasses.replace(k, rank=rank, name=k.name.replace("r64", f"r{rank}")) for k in HANDOFF]
    kernels += [dataclasses.replace(k, tile_barrier=True) for k in kernels]
    problem = dataclasses.replace(fused_prob(h_in=4096, h_out=4096, rank=rank, rows=rows, segs=segs),
                                  max_segment_rows=longest)
    got = dispatch.prefers_fused(problem, kernels, 132, lambda kernel: 2)
    grid = dispatch.handoff_grid(problem, got, 132, 2)
    assert grid[0] * grid[2] == tiles
    assert got.tile_barrier == per_tile == dispatch.wants_tile_barrier(grid, rank)


@pytest.mark.parametrize("rows, segs, longest, wide", [
    (16, 4, 4, True),       # uniform bs16: 4 row tiles, one barrier
    (64, 1, 64, True),      # identical bs64: 4
    (64, 8, 8, False),      # uniform bs64: 8 row tiles, a barrier per row tile
    (64, 8, 40, False),     # skewed: the flat grid
])
def test_one_barrier_tiles_take_launches_of_one_barrier_only(rows, segs, longest, wide):
    """HANDOFF_ONE_BARRIER_TILES (NOTES entry 388): rank 128's 8-warp 16-row tile, built without twins, takes the
    launches of one barrier over the 4-warp tile (fewer blocks), never those of a barrier per row tile or the flat grid,
    which stay on the 4-warp tile's twins."""
    narrow = rec(op="fused", rank=128, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=1, threads=128)
    eight = dataclasses.replace(narrow, name=narrow.name.replace("w4m16n128", "w8m16n256"), warps=8, tile_n=256,
                                threads=256)
    kernels = [narrow, eight] + [dataclasses.replace(narrow, **{v: True}) for v in ("tile_barrier", "flat_tiles")]
    problem = dataclasses.replace(fused_prob(h_in=8192, h_out=8192, rank=128, rows=rows, segs=segs),
                                  max_segment_rows=longest)
    got = dispatch.prefers_fused(problem, kernels, 132, lambda kernel: 2 if kernel.warps == 4 else 1)
    assert (got is eight) == wide
    assert wide or got.tile_barrier or got.flat_tiles


@pytest.mark.parametrize("rows, segs, eight", [
    (16, 1, True), (12, 1, True),                   # one row tile of 12-16 rows: the 8-warp tile first
    (8, 1, False), (1, 1, False),                   # fewer rows
    (32, 2, False), (48, 3, False), (16, 16, False),  # more row tiles
])
def test_rank_64s_eight_warp_tile_takes_one_row_tile_of_12_rows_or_more(rows, segs, eight):
    """HANDOFF_ONE_ROW_TILE_LEAST_ROWS (NOTES entry 393): rank 64's 8-warp 16-row tile ties the 4-warp tiles in every
    other criterion; it goes first on launches of a single row tile of 12-16 rows and takes no other launch."""
    narrow = rec(op="fused", rank=64, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=2, threads=128)
    wide = dataclasses.replace(narrow, name=narrow.name + "_n256", tile_n=256)
    eight_warps = dataclasses.replace(wide, name=narrow.name + "_w8", warps=8, threads=256)
    kernels = [narrow, wide, eight_warps] + [dataclasses.replace(k, name=k.name + v, **{v: True})
                                             for k in (narrow, wide) for v in ("tile_barrier", "flat_tiles")]
    for h in (4096, 8192, 14336):
        problem = dataclasses.replace(fused_prob(h_in=h, h_out=4096, rank=64, rows=rows, segs=segs),
                                      max_segment_rows=rows // segs)
        got = dispatch.prefers_fused(problem, kernels, 132, lambda kernel: 2 if kernel.warps == 4 else 1)
        assert (got is eight_warps) == eight, (h, got.name)
        assert eight or got.warps == 4


@pytest.mark.parametrize("h_in, h_out, rank, rows, tile_n, true_ranks, splits", [
    (4096, 4096, 64, 2, 128, False, 128),    # rows x rank 128: no cap
    (4096, 4096, 64, 3, 128, False, 64),     # 192: at most 64 splits
    (8192, 8192, 64, 8, 128, False, 64),     # (entry 394's 512 split-rows: 64 here, 128 before)
    (4096, 4096, 32, 4, 128, False, 128),    # rank 32 from 5 rows
    (4096, 4096, 32, 6, 128, False, 64),
    (4096, 4096, 128, 2, 128, False, 64),    # rank 128 from 2 rows
    (8192, 3072, 128, 4, 128, False, 64),    # A of 2^20 elements: still capped
    (14336, 4096, 128, 4, 128, False, 128),  # A larger (each of 64 blocks would stream 57 KB of it): no cap
    (3584, 18944, 64, 4, 256, False, 74),    # h_out's 74 column tiles: one a block, as with 112 splits
    (4096, 4096, 48, 6, 128, True, 128),     # the true-rank variant: no cap (both ways in entry 396)
    (4096, 4096, 64, 12, 128, False, 64),    # 85 splits by HANDOFF_MAX_SPLIT_ROWS, 64 by the cap
    (18944, 3584, 16, 12, 256, False, 85),   # below HANDOFF_MIN_RANK (not measured): no cap
])
def test_one_row_tile_launches_split_h_in_at_most_64_ways(h_in, h_out, rank, rows, tile_n, true_ranks, splits):
    """HANDOFF_ONE_TILE_MAX_SPLITS (NOTES entry 396): a launch of one row tile whose rows x rank exceed
    HANDOFF_ONE_TILE_SPLIT_ABOVE takes at most 64 splits (or h_out's column tiles), where A holds at most
    HANDOFF_ONE_TILE_MOST_WEIGHTS elements and the kernel is not a true-rank variant; two segments are unchanged."""
    kernel = rec(op="fused", rank=64 if rank < 64 and true_ranks else rank, hidden=0, warps=4, warp_rows=16,
                 tile_n=tile_n, unroll=2, threads=128, true_ranks=true_ranks)
    problem = dataclasses.replace(fused_prob(h_in=h_in, h_out=h_out, rank=rank, rows=rows), max_segment_rows=rows)
    assert dispatch.handoff_grid(problem, kernel, 132, 1) == (1, splits, 1)
    two = dataclasses.replace(fused_prob(h_in=h_in, h_out=h_out, rank=rank, rows=2 * rows, segs=2),
                              max_segment_rows=rows)
    assert dispatch.handoff_grid(two, kernel, 132, 1)[1] == min(64, 1024 // rows, h_in // 32)


def test_the_barrier_per_row_tile_takes_neither_the_flat_grid_nor_the_cluster_sum():
    """Skewed lengths still take the flat grid's kernels (which have no barrier per row tile), and rank-16 batches
    the cluster sum with the kernel itself, whatever variants the build has."""
    skewed = dataclasses.replace(fused_prob(h_in=4096, h_out=4096, rank=64, rows=64, segs=20), max_segment_rows=20)
    assert dispatch.prefers_fused(skewed, HANDOFF + FLAT + TILE_BARRIER, 132, lambda kernel: 2) is FLAT[1]
    r16 = dataclasses.replace(fused_prob(rank=16, rows=16, segs=1), max_segment_rows=16)
    with_variants = FUSED + [dataclasses.replace(k, tile_barrier=True) for k in FUSED]
    got = dispatch.prefers_fused(r16, with_variants, 132)
    assert got is not None and not got.tile_barrier and not dispatch.uses_handoff(r16, got)
    assert dispatch.uses_handoff(r16, dataclasses.replace(got, tile_barrier=True))


@pytest.mark.parametrize("rows, segs, longest, h, most", [
    (256, 1, 256, 4096, True),    # identical bs256: 16 row tiles, the 4-warp tile's 256 blocks (16 splits a tile)
    (256, 16, 16, 8192, True),    # uniform bs256
    (16, 16, 1, 8192, True),      # distinct bs16
    (64, 8, 8, 4096, False),      # uniform bs64: 8 row tiles, no barrier per row tile: the fewest blocks
    (64, 1, 64, 8192, False),     # identical bs64: 4
])
def test_low_rank_launches_of_a_barrier_per_row_tile_take_the_most_blocks_on_a_tie(rows, segs, longest, h, most,
                                                                                      monkeypatch):
    """Below HANDOFF_MIN_RANK a tie of column tiles a block goes to the fewest blocks (NOTES entry 232), but a launch
    whose blocks wait per row tile takes the tile of the most (HANDOFF_TILE_BARRIER_MOST_BLOCKS, entry 250): the 4-warp
    256-column tile with twice the 8-warp 512-column tile's splits, as its twin."""
    def blocks_an_sm(kernel):  # the H200's occupancy: the 4-warp tile two blocks an SM, the 8-warp one one
        return 2 if kernel.warps == 4 else 1

    problem = dataclasses.replace(fused_prob(h_in=h, h_out=h, rank=16, rows=rows, segs=segs), max_segment_rows=longest)
    kernels = FUSED + [dataclasses.replace(k, tile_barrier=True) for k in FUSED]
    got = dispatch.prefers_handoff(problem, kernels, 132, blocks_an_sm)
    grid = dispatch.handoff_grid(problem, got, 132, blocks_an_sm(got))
    assert dispatch.wants_tile_barrier(grid, 16) == most == got.tile_barrier
    other = next(k for k in kernels if k.warps != got.warps and k.tile_barrier == got.tile_barrier)
    other_grid = dispatch.handoff_grid(problem, other, 132, blocks_an_sm(other))
    assert dispatch._tiles_per_block(problem, got, grid) == dispatch._tiles_per_block(problem, other, other_grid)
    assert (math.prod(grid) > math.prod(other_grid)) == most
    monkeypatch.setattr(dispatch, "HANDOFF_TILE_BARRIER_MOST_BLOCKS", 0)
    fewest = dispatch.prefers_handoff(problem, kernels, 132, blocks_an_sm)
    assert (fewest.warps, fewest.tile_barrier) == ((other.warps if most else got.warps), got.tile_barrier)


@pytest.mark.parametrize("h_in, h_out, rows, want_rows, want_barrier", [
    (8192, 8192, 256, 16, True),     # 8 row tiles of 32 under one barrier -> 16 of 16 rows, a barrier each (0.95x)
    (3072, 8192, 248, 16, True),     # 16 row tiles of 16, the last of 8 rows
    (8192, 8192, 240, 32, False),    # 15 row tiles of 16: one barrier either way, the 32-row tile stays
    (7168, 7168, 288, 16, True),     # 18 row tiles of 16, h_in <= 7168: HANDOFF_TALL_PER_TILE_NARROW_IN_*
    (6144, 4096, 280, 16, True),     # 18 row tiles of 16, h_in 1.5 h_out (entry 408)
    (7168, 4096, 272, 16, True),     # 17 row tiles, h_in 1.75 h_out (entry 411: 0.97x)
    (9216, 6144, 288, 32, False),    # 18 row tiles, h_in over 7168: over HANDOFF_TALL_PER_TILE_MAX_ROW_TILES (410)
    (8192, 6144, 264, 32, False),    # 17 row tiles, the same (entry 410: 1.05-1.07x)
    (14336, 4096, 288, 32, False),   # 18 row tiles, h_in 14336 (entry 406)
    (4096, 4096, 304, 32, True),     # 19 row tiles of 16, over either bound; 10 of 32: that tile waits per row tile
    (8192, 8192, 384, 32, True),     # the 32-row tile waits per row tile itself (12 row tiles): it stays (the
    # 16-row tiles 0.97-1.14x, median ~1.07, over 384 rows)
    (3072, 12288, 256, 32, True),    # two column tiles a block: the same from 8 row tiles (entry 403)
])
def test_rank_16_s_one_barrier_tall_launch_gives_way_to_the_16_row_tiles_barrier_per_row_tile(
        h_in, h_out, rows, want_rows, want_barrier, monkeypatch):
    """Below HANDOFF_TALL_PER_TILE_BELOW_RANK (rank 16), one adapter whose 32-row tile would run one barrier takes the
    16-row tiles where their launch waits per row tile over at most HANDOFF_TALL_PER_TILE_MAX_ROW_TILES row tiles
    (241-256 rows: the 4-warp tile's twin, 0.91-0.99x at five shapes, NOTES entry 404), or over 17-18 where h_in is
    at most 7168 (HANDOFF_TALL_PER_TILE_NARROW_IN_*, entries 408-411); builds without the 16-row twin keep the 32-row
    tile (test_tall_fused_tiles_take_long_segments_through_the_grid_handoff)."""
    def blocks_an_sm(kernel):  # the H200's occupancy: the 4-warp 16-row tile two blocks an SM, the 8-warp ones one
        return 2 if kernel.warps == 4 else 1

    kernels = FUSED + TALL[:1] + [dataclasses.replace(k, tile_barrier=True) for k in FUSED + TALL[:1]]
    problem = dataclasses.replace(fused_prob(h_in=h_in, h_out=h_out, rank=16, rows=rows), max_segment_rows=rows)
    got = dispatch.prefers_handoff(problem, kernels, 132, blocks_an_sm)
    assert (got.warp_rows, got.tile_barrier) == (want_rows, want_barrier)
    if want_rows == 16:
        grid = dispatch.handoff_grid(problem, got, 132, 2)
        assert got.warps == 4 and grid[0] == 1 and grid[2] == math.ceil(rows / 16) and grid[1] * grid[2] <= 132 * 2
    monkeypatch.setattr(dispatch, "HANDOFF_TALL_PER_TILE_BELOW_RANK", 16)  # rank 16 no longer below it
    assert dispatch.prefers_handoff(problem, kernels, 132, blocks_an_sm).warp_rows == 32
