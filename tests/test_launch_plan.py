"""Launch geometry (launch_plan.plan) is a pure function of shapes (no GPU needed)."""
import dataclasses

import pytest

from sgmv import launch_plan
from sgmv.launch_plan import MAX_PARTIAL_SLICES, PARTIAL_FLOATS, PARTIAL_SLICES, plan
from dispatch_records import AVAILABLE, prob, rec


def test_shrink_splits_k_when_there_are_few_segments():
    one = plan(prob(rows=1, segs=1), AVAILABLE[0], num_sms=132)
    assert one.grid == (1, 8, 1) and one.k_splits == 8 and one.cluster == 1  # each warp keeps 4 chunks (unroll)
    many = plan(prob(rows=4096, segs=64), AVAILABLE[0], num_sms=132)
    assert many.k_splits < one.k_splits
    assert many.threads == 128 and many.smem_bytes == 8192


def test_geometry_respects_grid_limits():
    huge = plan(prob(rows=10**7, segs=1), AVAILABLE[0], num_sms=132)
    assert huge.grid[2] <= 65535 and huge.grid[1] <= 65535
    wide = plan(prob(op="expand", rows=3, segs=3, hidden=1000), AVAILABLE[5], num_sms=132)
    assert wide.grid[:2] == (3, 8) and wide.k_splits == 1


def test_generic_shrink_tiles_the_rank():
    g = plan(prob(rank=200, hidden=1000, rows=1, segs=1), AVAILABLE[1], num_sms=132)
    assert g.grid[1] == 4 * g.k_splits  # ceil(200 / 64) rank chunks per split


@pytest.mark.parametrize("clusters", [False, True])
@pytest.mark.parametrize("rows, segs", [(1, 1), (256, 256), (4096, 64), (8192, 8), (100000, 3)])
def test_partial_workspace_stays_of_order_t_by_r(rows, segs, clusters):
    p = prob(rows=rows, segs=segs)
    launch = plan(p, AVAILABLE[0], num_sms=132, partial=True, clusters=clusters)
    assert launch.partial_slices <= MAX_PARTIAL_SLICES and launch.k_splits == launch.partial_slices * launch.cluster
    assert launch.partial_slices * rows * p.rank <= max(PARTIAL_SLICES * rows * p.rank, PARTIAL_FLOATS)
    assert launch.grid[1] % launch.cluster == 0
    assert clusters or launch.cluster == 1


def test_clusters_multiply_the_splits_of_small_batches():
    flat = plan(prob(rows=1, segs=1), AVAILABLE[0], num_sms=132, partial=True)
    clustered = plan(prob(rows=1, segs=1), AVAILABLE[0], num_sms=132, partial=True, clusters=True)
    assert flat.k_splits == MAX_PARTIAL_SLICES and flat.partial_slices == MAX_PARTIAL_SLICES
    assert clustered.cluster == 8 and clustered.k_splits == 8 and clustered.partial_slices == 1
    wide = plan(prob(rows=1, segs=1, hidden=14336), AVAILABLE[0], num_sms=132, partial=True, clusters=True)
    assert wide.cluster == 8 and wide.partial_slices == 3 and wide.k_splits == 24  # 448 chunks / (4 warps x 4)


# ---- flat row tiles (skewed or unknown segment lengths) --------------------------------------------

@pytest.mark.parametrize("op, kernel", [("shrink", AVAILABLE[0]), ("expand", AVAILABLE[4])])
def test_skewed_or_unknown_segments_get_a_block_per_row_tile(op, kernel):
    """A segment longer than the mean-sized row groups serve (or lengths unknown on the host: rows in any
    order) switches to flat row tiles: grid z bounds every row tile of the batch, grid x holds no segment."""
    even = plan(prob(op=op, rows=256, segs=16), kernel, num_sms=132, partial=True, clusters=True)
    assert not even.flat and even.grid[0] == 16
    tiles = -(-256 // kernel.warp_rows)
    for longest in (200, None):
        skewed = plan(prob(op=op, rows=256, segs=16, longest=longest), kernel, num_sms=132, partial=True,
                      clusters=True)
        assert skewed.flat and skewed.grid[0] == 1 and skewed.grid[2] == tiles + 16
    one = plan(prob(op=op, rows=256, segs=1, longest=None), kernel, num_sms=132)
    assert not one.flat  # one segment: its row groups are already every tile
    huge = plan(prob(op=op, rows=10**7, segs=3, longest=None), kernel, num_sms=132)
    assert not huge.flat and huge.grid[2] <= 65535  # more tiles than grid z holds: per-segment groups


def test_flat_slots_bound_the_row_tiles_of_any_layout():
    """Sum over segments of ceil(len / tile) <= ceil(T / tile) + (segments with rows), for any lengths."""
    import random
    rng = random.Random(0)
    for _ in range(200):
        segs = rng.randint(2, 40)
        lengths = [rng.choice([0, 1, 15, 16, 17, rng.randint(0, 300)]) for _ in range(segs)]
        rows = sum(lengths)
        if rows == 0:
            continue
        launch = plan(prob(op="expand", rows=rows, segs=segs, longest=None), AVAILABLE[4], num_sms=132)
        tile = AVAILABLE[4].warp_rows
        assert launch.flat and launch.grid[2] >= sum(-(-n // tile) for n in lengths)


def test_pipelined_expand_blocks_stream_column_tiles():
    """A pipelined expand block streams enough column tiles that the launch has about PIPELINE_BLOCKS_PER_SM
    blocks per SM: none for small launches, a row tile's all at most; other kernels take one tile each."""
    tall = rec(op="expand", warps=8, warp_rows=32, tile_n=256, threads=256, pipelined=True)
    prefill = prob(op="expand", rows=4096, segs=64)  # 16 column tiles, 128 row tiles of 32 rows
    geometry = plan(prefill, tall, num_sms=132)
    assert geometry.col_tiles_per_block == 8 and geometry.grid == (64, 2, 2)
    assert plan(prob(op="expand", rows=64, segs=4), tall, num_sms=132).col_tiles_per_block == 1
    huge = prob(op="expand", rows=1 << 16, segs=1)
    assert plan(huge, tall, num_sms=132).col_tiles_per_block == 16  # every tile of its row tile
    staged = dataclasses.replace(tall, pipelined=False)
    assert plan(prefill, staged, num_sms=132).col_tiles_per_block == 1
    assert plan(prefill, staged, num_sms=132).grid == (64, 16, 2)
    for tiles, rows in [(1, 1), (16, 128), (57, 3), (5, 100000)]:
        per_block = launch_plan.col_tiles_per_block(tiles, rows, 132)
        assert 1 <= per_block <= tiles


def test_shrink_splits_fill_one_wave_with_whole_steps():
    """With the kernel's resident blocks known, the shrink's splits never need a second wave, and the splits are
    the fewest that keep the same unrolled steps per block (benchmarks/NOTES.md, entry 14)."""
    kernel = rec(warps=4, warp_rows=16, unroll=2, tile_n=64, rank=64, hidden=8192)  # 8 chunks a step, 256 chunks
    wide = prob(rank=64, hidden=8192, rows=256, segs=256)  # 256 busy row tiles: 3 a SM would hold 396
    assert plan(wide, kernel, 132, partial=True, clusters=True, resident_blocks=3).k_splits == 1
    assert plan(wide, kernel, 132, partial=True, clusters=True).k_splits == 2  # occupancy unknown: as before
    tall = prob(rank=64, hidden=8192, rows=256, segs=1)  # 16 row tiles: 24 splits fit, of 2 steps each -> 16
    launch = plan(tall, kernel, 132, partial=True, clusters=True, resident_blocks=3)
    assert (launch.k_splits, launch.cluster) == (16, 8)
    one_row = prob(rank=64, hidden=8192, rows=1, segs=1)  # one step per split already: as many as allowed
    assert plan(one_row, kernel, 132, partial=True, clusters=True, resident_blocks=3).k_splits == 32
    empty = prob(rank=64, hidden=0, rows=10, segs=2)  # h_in = 0: one split, which writes zeros
    assert plan(empty, kernel, 132, partial=True, clusters=True, resident_blocks=3).k_splits == 1
    for rows, segs in [(1, 1), (64, 64), (4096, 8), (256, 16), (7, 3)]:
        launch = plan(prob(rank=64, hidden=8192, rows=rows, segs=segs), kernel, 132, partial=True, clusters=True,
                      resident_blocks=3)
        assert launch.k_splits % launch.cluster == 0 and launch.k_splits <= 32


def test_shrink_splits_round_up_to_whole_clusters_within_three_quarters_of_a_wave():
    """h_in = 14336 at r16 (448 chunks, 16 a step): 14 splits of 2 steps are wanted. Two clusters of 8 take 256
    of the 528 blocks the SMs hold, so the launch takes 16, not the 8 that rounding down gives (4 steps a
    block); where rounding up would take more than SPLIT_ROUND_UP_PERCENT of a wave, it rounds down
    (benchmarks/NOTES.md, entry 16)."""
    kernel = rec(warps=4, warp_rows=16, unroll=4, tile_n=16, rank=16, hidden=14336)
    few = prob(rank=16, hidden=14336, rows=16, segs=16)  # 16 busy row tiles
    launch = plan(few, kernel, 132, partial=True, clusters=True, resident_blocks=4)
    assert (launch.k_splits, launch.cluster) == (16, 8)
    crowded = prob(rank=16, hidden=14336, rows=40, segs=40)  # 40 busy tiles: 10 splits wanted, 16 would need 640
    launch = plan(crowded, kernel, 132, partial=True, clusters=True, resident_blocks=4)  # 528 blocks fit
    assert launch.cluster == 8 and launch.k_splits == 8 and 40 * launch.k_splits <= 4 * 132
    r64 = rec(warps=4, warp_rows=16, unroll=2, tile_n=64, rank=64, hidden=14336)  # 8 chunks a step
    nearly_full = prob(rank=64, hidden=14336, rows=16, segs=16)  # 19 splits wanted: 24 would take 384 of 396
    launch = plan(nearly_full, r64, 132, partial=True, clusters=True, resident_blocks=3)
    assert (launch.k_splits, launch.cluster) == (16, 8)
