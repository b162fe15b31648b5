"""add_lora's one-launch choice past the fused kernel's rule (one_launch.py: the prefill kernel's tiles, the rank
split, the grid handoff over the pair; the gemv kernel's in test_one_launch_gemv.py, the padded rank's in
test_one_launch_padded.py) is a pure function of shapes (no GPU needed)."""
import dataclasses

import pytest

from sgmv import dispatch, one_launch
from sgmv.dispatch import can_run
from sgmv.launch_plan import plan
from sgmv.errors import UnsupportedError
from sgmv.one_launch_padded import padded_one_launch
from dispatch_records import HALF_RANK, PREFILL, PREFILL_SHORT, fused_prob, prefill_prob, rec

H200_PREFILL_CLUSTERS = {2: 66, 4: 30, 8: 15}  # the driver's count of a 64-row tile's clusters on the H200 (entries
# 322 and 327)


def h200_clusters(kernel, cluster):
    """Clusters of `cluster` blocks of a 64-row prefill kernel the H200 holds at once (resident_clusters)."""
    return H200_PREFILL_CLUSTERS[cluster]


# ---- add_lora for long segments in one launch (the prefill kernel) ------------------------------------

@pytest.mark.parametrize("rows, segs, rank, want", [
    (8192, 8, 16, 16),      # 128 tiles of 64 rows: 97% of 132 SMs (measured: 67.3 vs the pair's 71.6 us)
    (8192, 8, 64, 64),      # (78.2 vs 94.6 us)
    (16384, 256, 16, 16),   # 64 rows a segment
    (4096, 64, 16, 16),     # 64 tiles for half the SMs, each shared by a cluster of two blocks (entry 32)
    (2048, 32, 16, 16),     # 32 tiles in clusters of two, 48% of the SMs: under 90%, but the batches between take
                            # the tile that streams fewer bytes an SM, here the only one (entry 143: 0.66-0.81x)
    (7500, 4, 16, 16),      # 118 tiles: under 90% of the SMs (ditto)
    (1024, 8, 16, None),    # 16 tiles in clusters of two: 24% of the SMs
    (8192, 512, 16, None),  # 16 rows a segment
    (8192, 8, 32, None),    # no kernel of that rank in the list
])
def test_prefill_rule_follows_the_measured_cases(rows, segs, rank, want):
    """benchmarks/NOTES.md entries 31 and 143: the prefill kernel's 64-row tile where its tiles keep 90% of the SMs
    busy, and for batches between where it is the tile that streams fewer bytes an SM."""
    got = one_launch.prefers_prefill(prefill_prob(rows=rows, segs=segs, rank=rank), PREFILL, num_sms=132)
    assert (got.rank if got else None) == want


@pytest.mark.parametrize("rows, segs, rank, want", [
    (64, 64, 16, (2, 256)),   # distinct bs64: 64 one-row tiles in clusters of two, one wave (entry 35: 0.88-0.91x;
                              # 256-column stages 0.95-0.99x the time of 128 once they had 8 consumer warps, entry 45)
    (256, 256, 16, (1, 256)),  # distinct bs256: two tiles a block (entry 38: 0.93-0.95x)
    (256, 256, 64, (1, 128)),  # ... at r64 (0.92-0.94x with 128 columns), whose 128-column stages number 6 to the
                               # 256-column ones' 3 (entries 219-221)
    (64, 64, 64, (2, 128)),   # (0.84-0.87x; 256 columns even with 128 at r64, entry 45; 128 0.950-0.966x, entry 219)
    (16, 16, 64, None),       # 16 tiles: too few for the SMs (clusters of eight lost: entry 36)
    (43, 43, 64, (2, 128)),   # clusters of two from 65% of the SMs (86 blocks; entry 300: 48 and 59 segments
    (42, 42, 16, None),       # 0.44-1.00x, median 0.92; 40 0.68-1.09x)
    (100, 100, 16, (1, 256)),  # 67-132 segments on a build without the kernel of two blocks an SM: blocks of one,
    (118, 118, 16, (1, 256)),  # taken from 65% of the SMs (entries 294 and 299: 0.55-0.97x at 90-118 segments)
    (98, 98, 16, (1, 256)),
    (86, 86, 16, (1, 256)),   # 65.2%
    (85, 85, 16, None),       # 64.4%; and 80 segments 0.95-1.03x, 67 0.98-1.12x
    (80, 80, 16, None),
    (256, 16, 64, None),      # 16 rows a segment: neither long nor short
])
def test_prefill_short_tile_takes_many_one_row_segments(rows, segs, rank, want):
    """benchmarks/NOTES.md entries 35, 38, 294 and 299: the 16-row tile for distinct batches, `want` = (cluster size,
    stage columns), where it won."""
    problem = prefill_prob(rows=rows, segs=segs, rank=rank)
    got = one_launch.prefers_prefill(problem, PREFILL + PREFILL_SHORT, num_sms=132)
    if want is None:
        assert got is None
    else:
        assert (got.rank, got.warp_rows, one_launch.prefill_cluster(problem, got, 132), got.tile_n) == (rank, 16, *want)
    long = one_launch.prefers_prefill(prefill_prob(rank=rank), PREFILL + PREFILL_SHORT, num_sms=132)
    assert long.warp_rows == 64  # long segments keep the 64-row tile



@pytest.mark.parametrize("rows, segs, longest, rank, want", [
    (256, 46, 104, 16, (2, 256)),  # skewed bs256: ~5.6 rows a segment, 46 estimated tiles in clusters of two, 70%
                                   # of the SMs (entry 139: 0.59-0.64x the pair's time at r16)
    (256, 38, 110, 64, (2, 128)),  # ... 58% (0.72x at r64, 256 columns; 128 since entry 221)
    (256, 46, -1, 16, (2, 256)),   # the longest segment unknown on the host (entry 141: 0.60-0.89x)
    (256, 64, 4, 16, (2, 256)),    # 4 rows in every segment, 64 tiles (entry 140: 0.62-0.71x at r16)
    (320, 40, 8, 64, (2, 128)),    # 8 rows in every segment, 40 tiles, 61% (0.85-0.91x at r64; 128 columns there)
    (64, 20, 27, 16, None),        # skewed bs64: 3.2 rows a segment, but 30% of the SMs (1.03-1.9x slower)
    (1023, 33, 31, 64, (2, 128)),  # 31 rows in every segment, 64 estimated tiles (entry 142: 0.67-0.72x at r64)
    (960, 40, 24, 16, (1, 256)),   # 24 rows, 80 tiles (two each), one a cluster (0.81-0.92x at r16; single
                                   # blocks 0.84x the clusters of two, entries 229-231)
    (256, 25, 100, 16, None),      # 10 rows a segment, but 31 estimated tiles (the longest's 7 and one each)
                                   # in clusters of two: 47% of the SMs
    (1024, 32, 32, 16, (2, 256)),  # 32 rows a segment, under the 64-row tile's 1024 rows: the 16-row tile streams
                                   # fewer bytes an SM (entry 143: 0.68-0.74x the pair at r16)
    (512, 16, 32, 16, None),       # ... but 32 tiles: 48% of the SMs, and the 64-row tile's 24%: the pair
])
def test_prefill_short_tile_takes_batches_of_up_to_31_rows_a_segment(rows, segs, longest, rank, want):
    """benchmarks/NOTES.md entries 139-142: the 16-row tile for batches of 3-31 rows a segment, where its estimated
    blocks keep half the SMs busy, whether or not the host knows the lengths."""
    problem = prefill_prob(rows=rows, segs=segs, rank=rank, longest=longest)
    got = one_launch.prefers_prefill(problem, PREFILL + PREFILL_SHORT, num_sms=132)
    if want is None:
        assert got is None
    else:
        assert (got.rank, got.warp_rows, one_launch.prefill_cluster(problem, got, 132), got.tile_n) == (rank, 16, *want)


@pytest.mark.parametrize("rows, segs, longest, want", [
    (960, 40, 24, 80),       # 24 rows in every segment: two tiles each (T / 16: 60)
    (960, 40, -1, 60),       # the longest unknown on the host: T / 16
    (340, 20, 36, 22),       # 19 segments of 16 rows and one of 36: 19 + 3 (at most 2 + 20 x 2 a segment)
    (5600, 200, 28, 400),    # 200 of 28
    (480, 12, 40, 30),       # 40 rows a segment, over PREFILL_FEW_ROWS_MAX_MEAN: T / 16
    (31, 31, 1, 31),         # one row each: a tile a segment
    (17, 1, 17, 2),          # one segment of 17 rows
    (71, 138, 1, 71),        # one row in 71 of 138 segments, the rest empty: no more tiles than rows
])
def test_prefill_16_row_tile_s_tiles_counted_from_the_lengths(rows, segs, longest, want):
    """benchmarks/NOTES.md entries 229-231: on segments of up to 31 rows on average, the 16-row tile's tiles are the
    longest segment's and the others' at their mean length; the 64-row tile keeps T / 64."""
    problem = prefill_prob(rows=rows, segs=segs, longest=longest)
    assert one_launch.prefill_row_tiles(problem, PREFILL_SHORT[0]) == want
    assert one_launch.prefill_row_tiles(problem, PREFILL[0]) == max(1, -(-rows // 64), min(segs, rows))


@pytest.mark.parametrize("rows, segs, longest, want", [
    (960, 40, 24, 1),     # 80 tiles in one wave alone; T / 16's 60 would take clusters (0.82-0.88x, entry 229)
    (5280, 264, 20, 1),   # 528 tiles: four tile-times either way; T / 16's 330 would take clusters (0.79-0.88x)
    (5600, 200, 28, 1),   # 400 tiles would take clusters, T / 16's 350 not: none (clusters 0.96-1.11x, entry 230)
    (816, 48, 17, 1),     # 96 tiles: one wave alone (0.85-0.93x the clusters of T / 16's 51)
    (400, 20, 20, 2),     # 40 tiles: clusters of two by both counts
    (960, 40, -1, 2),     # the longest unknown: T / 16's 60 tiles, clusters of two
])
def test_prefill_16_row_tile_s_cluster_only_where_both_counts_want_one(rows, segs, longest, want):
    problem = prefill_prob(rows=rows, segs=segs, longest=longest)
    assert one_launch.prefill_cluster(problem, PREFILL_SHORT[0], 132) == want


def test_prefill_16_row_tile_takes_twenty_segments_of_17_24_rows_by_their_tiles():
    """40 tiles in clusters of two keep 60% of the SMs busy where T / 16 counted 50 blocks (entries 230-231: 0.76-0.95x
    the grid handoff at r16-r32, 0.84-1.04x at r64); 12 segments of 40 rows keep T / 16 (0.90-1.20x at r64)."""
    for rank in (16, 64):
        got = one_launch.prefers_prefill(prefill_prob(rows=400, segs=20, rank=rank, longest=20),
                                         PREFILL + PREFILL_SHORT, num_sms=132)
        assert (got.rank, got.warp_rows) == (rank, 16)
        assert one_launch.prefers_prefill(prefill_prob(rows=400, segs=20, rank=rank), PREFILL + PREFILL_SHORT,
                                          num_sms=132) is None  # lengths unknown: 25 tiles, 38% of the SMs
        assert one_launch.prefers_prefill(prefill_prob(rows=480, segs=12, rank=rank, longest=40),
                                          PREFILL + PREFILL_SHORT, num_sms=132) is None


@pytest.mark.parametrize("h_in, h_out, rank, segs, rows, want", [
    (4096, 4096, 16, 16, 128, 16),   # rank 16: the 16-row tile (entry 143: 0.60x the pair; the 64-row tile 0.66x)
    (8192, 8192, 64, 32, 32, 16),    # r64 at 32 rows a segment: 64 tiles of 16 rows in one wave (0.72x; 0.89x)
    (8192, 8192, 64, 24, 40, 64),    # 40 rows: three 16-row tiles a segment, two waves (1.06x; the 64-row 0.88x)
    (4096, 14336, 64, 4, 512, 64),   # 512 rows: each adapter read by 32 tiles of 16 rows (0.84x; 0.78x)
    (14336, 4096, 64, 16, 64, 16),   # 64 rows: 64 tiles of 16 in one wave, 16 of 64 (0.65x; 0.90x), one more than
                                      # a wave of clusters of 8 on the H200
    (8192, 8192, 64, 10, 100, 64),   # 70 tiles of 16 rows in clusters of two: two waves (entry 144: 1.07x); 20 of
                                      # 64 rows in clusters of four, one wave (entry 324: 0.59x the pair)
    (8192, 8192, 16, 10, 100, 16),    # ... but rank 16 takes the second wave (entry 149: 0.83-0.94x the pair)
])
def test_prefill_batches_between_take_the_tile_that_streams_fewer_bytes_an_sm(h_in, h_out, rank, segs, rows, want):
    """benchmarks/NOTES.md entries 143-144: batches of 32-1024 rows a segment the 64-row tile's rule leaves to the pair
    take the tile whose SMs stream fewer bytes (prefill_bytes_per_sm), which was the faster in all entry 143's 128
    cases; the 16-row tile only where its tiles fit one wave, or two at rank 16 (entry 149)."""
    problem = prefill_prob(rows=segs * rows, segs=segs, rank=rank, h_in=h_in, h_out=h_out, longest=rows)
    got = one_launch.prefers_prefill(problem, PREFILL + PREFILL_SHORT, num_sms=132, resident_clusters=h200_clusters)
    if want is None:
        assert got is None
        return
    assert (got.rank, got.warp_rows) == (rank, want)
    unknown = dataclasses.replace(problem, max_segment_rows=-1)  # tiles bounded by the rows, each segment's last
    assert one_launch.prefill_tiles_bound(unknown, got) == (segs * rows + segs * (want - 1)) // want  # part-filled
    assert one_launch.prefill_tiles_bound(problem, got) == segs * -(-rows // want)


def test_prefill_16_row_tile_s_second_wave_in_place_of_the_pair_only_at_the_call_s_own_rank(monkeypatch):
    """benchmarks/NOTES.md entry 149: between the few-rows and the 64-row tile's rules, the 16-row tile may take two
    waves at ranks up to 16; in place of the pair (no 64-row tile offered) only at the call's own rank: two rank-16
    halves of rank 32 (1.6-1.9x the pair) and rank 8 on rank 16's kernel (0.93-1.05x) keep the pair, while against the
    64-row tile rank 8 takes it too (0.71-0.94x)."""
    prefill = [rec(op="prefill", rank=16, hidden=0, warps=11, warp_rows=r, tile_n=n, threads=352, true_ranks=t)
               for r, n in ((64, 128), (16, 256)) for t in (False, True)]
    ten = prefill_prob(rows=1000, segs=10, longest=100)  # 70 tiles of 16 rows in clusters of two; 64-row: 24%
    got = one_launch.prefers_prefill(ten, prefill, 132)
    assert got.warp_rows == 16 and one_launch.prefill_waves(ten, got, 132) == 2
    assert one_launch.prefers_prefill(ten, prefill, 132, second_wave_over_pair=False) is None
    wide = prefill_prob(rows=14 * 264, segs=14, longest=264)  # 238 tiles of 16 rows; 70 of 64 rows (53%)
    assert one_launch.prefers_prefill(wide, prefill, 132, second_wave_over_pair=False).warp_rows == 16
    as_rank = lambda problem, r: dataclasses.replace(problem, op="fused", rank=r, slice_ranks=(r,))  # noqa: E731
    assert one_launch.rank_split(as_rank(ten, 32), prefill, 132) is None  # the pair, not two halves
    assert padded_one_launch(as_rank(ten, 8), prefill, 132) is None
    assert padded_one_launch(as_rank(wide, 8), prefill, 132)[1].warp_rows == 16
    one_wave = prefill_prob(rows=16 * 128, segs=16, longest=128)  # 128 tiles of 16 rows: the halves may take it
    assert one_launch.rank_split(as_rank(one_wave, 32), prefill, 132).rank == 16
    monkeypatch.setattr(one_launch, "PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK", 0)
    assert one_launch.prefers_prefill(ten, prefill, 132) is None
    assert one_launch.prefers_prefill(wide, prefill, 132).warp_rows == 16  # no clusters: entry 151's rule still
    monkeypatch.setattr(one_launch, "PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK", 0)
    assert one_launch.prefers_prefill(wide, prefill, 132).warp_rows == 64


def test_a_rank_split_half_runs_the_kernel_rank_split_chose_for_it():
    """rank_split judges a half without the 16-row tile's second wave in place of the pair, and cuda_ops then picks
    each half's kernel with one_launch_kernel's default: the two must agree wherever rank_split takes the batch."""
    import itertools
    kernels = PREFILL + PREFILL_SHORT + HALF_RANK
    split = 0
    for rank, segs, rows in itertools.product((32, 128), (1, 4, 10, 16, 24, 40, 64, 256), (1, 16, 40, 100, 264, 1024)):
        problem = dataclasses.replace(fused_prob(rank=rank, rows=segs * rows, segs=segs), max_segment_rows=rows)
        half = one_launch.rank_split(problem, kernels, 132)
        if half is not None:
            split += 1
            assert (one_launch.one_launch_kernel(half, kernels, 132)
                    == one_launch.one_launch_kernel(half, kernels, 132, second_wave_over_pair=False)), problem
    assert split > 20


def test_prefill_16_row_tile_s_second_wave_at_rank_32_only_without_clusters(monkeypatch):
    """benchmarks/NOTES.md entries 151-153: at rank 32 the 16-row tile takes a second wave against the 64-row tile
    where its tiles fill the SMs without clusters (0.68-0.87x), not two waves of clusters of two (0.97-1.09x), and
    never in place of the pair; rank 64 keeps the bytes model's 64-row tile."""
    prefill = [rec(op="prefill", rank=r, hidden=0, warps=11, warp_rows=rows, tile_n=n, threads=352)
               for r in (32, 64) for rows, n in ((64, 128), (16, 256))]
    def chosen(segs, rows, rank=32):
        problem = prefill_prob(rows=segs * rows, segs=segs, longest=rows, rank=rank)
        got = one_launch.prefers_prefill(problem, prefill, 132)
        return got and (got.warp_rows, one_launch.prefill_cluster(problem, got, 132))
    assert chosen(14, 264) == (16, 1)  # 238 tiles of 16 rows, two waves; the 64-row tile's 58 in clusters of two
    assert chosen(50, 70) == (16, 1)
    assert chosen(24, 40)[0] == 64     # 60-72 tiles of 16 rows in clusters of two: two waves of them
    assert chosen(10, 100) == (64, 4)  # not the 16-row tile's two waves of clusters in place of the pair (entry 144):
    # the 64-row tile's one wave of clusters of four (entry 324)
    assert chosen(14, 264, rank=64)[0] == 64
    monkeypatch.setattr(one_launch, "PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK", 16)
    assert chosen(14, 264)[0] == 64


def test_prefill_rule_declines_what_the_kernel_cannot_run():
    assert one_launch.prefers_prefill(prefill_prob(aligned=False), PREFILL, 132) is None  # 16-byte copies only
    assert one_launch.prefers_prefill(prefill_prob(h_in=4104), PREFILL, 132) is None  # h_in in 16-column steps
    assert one_launch.prefers_prefill(prefill_prob(dtype="fp16"), PREFILL, 132) is None  # none compiled for it
    two_slices = dataclasses.replace(prefill_prob(), slice_hidden=(4096, 1024), slice_ranks=(16, 16))
    assert one_launch.prefers_prefill(two_slices, PREFILL, 132) is None


def test_prefill_variant_for_true_ranks_exactly_where_the_call_gives_them():
    """benchmarks/NOTES.md entry 98: the variant that takes true ranks costs calls without them 1-4%, and the plain
    kernel computes every adapter at the full rank: each takes only its own calls (the ranked one can run any)."""
    ranked = [dataclasses.replace(k, name=k.name + "_ranks", true_ranks=True) for k in PREFILL + PREFILL_SHORT]
    both = PREFILL + PREFILL_SHORT + ranked
    for problem in (prefill_prob(), prefill_prob(rows=64, segs=64)):
        plain = one_launch.prefers_prefill(problem, both, 132)
        with_ranks = one_launch.prefers_prefill(dataclasses.replace(problem, true_ranks=True), both, 132)
        assert not plain.true_ranks and with_ranks.true_ranks
        assert (plain.rank, plain.warp_rows, plain.tile_n) == (with_ranks.rank, with_ranks.warp_rows, with_ranks.tile_n)
        assert one_launch.prefers_prefill(dataclasses.replace(problem, true_ranks=True), PREFILL + PREFILL_SHORT,
                                          132) is None  # a build without the variant: the launch pair
        assert can_run(problem, with_ranks) and not can_run(dataclasses.replace(problem, true_ranks=True), plain)


def test_prefill_16_row_tile_of_two_blocks_an_sm_exactly_for_more_blocks_than_sms(monkeypatch):
    """The r16 16-row tile's variant of two blocks an SM runs batches of more tiles (times the cluster) than SMs, and
    one-row batches of more tiles than clusters of 2 one block an SM (entry 299: in clusters of 2); a batch that fits
    one block an SM otherwise keeps the one-block kernel, as does any batch of a build without the variant (blocks of
    one from 65% of the SMs for one-row batches, PREFILL_ONE_ROW_MIN_SM_PERCENT)."""
    one = PREFILL_SHORT[1]  # rank 16, 256 columns
    two = dataclasses.replace(one, name=one.name + "_b2", blocks_per_sm=2)
    kernels = PREFILL + PREFILL_SHORT + [two]
    for segs, want, without in [(256, two, one), (140, two, one), (64, one, one), (66, one, one),  # 64, 66: clusters
                                (67, two, None), (98, two, one), (120, two, one), (132, two, one)]:  # of two, one wave
        assert one_launch.prefers_prefill(prefill_prob(rows=segs, segs=segs), kernels, 132) is want, segs
        assert one_launch.prefers_prefill(prefill_prob(rows=segs, segs=segs), PREFILL + PREFILL_SHORT, 132) is without
    assert one_launch.prefers_prefill(prefill_prob(rows=220, segs=110), kernels, 132) is two  # two rows a segment
    assert one_launch.prefers_prefill(prefill_prob(rows=99 * 3, segs=99), kernels, 132) is one  # three: no pairs
    monkeypatch.setattr(one_launch, "PREFILL_ONE_ROW_TWO_BLOCK_PAIRS", 0)
    assert one_launch.prefers_prefill(prefill_prob(rows=120, segs=120), kernels, 132) is one  # as before entry 299
    assert one_launch.prefers_prefill(prefill_prob(rows=67, segs=67), kernels, 132) is None
    r64 = one_launch.prefers_prefill(prefill_prob(rank=64, rows=256, segs=256), kernels, 132)
    assert r64.blocks_per_sm == 1 and r64.rank == 64
    wide = prefill_prob(rows=256, segs=256)
    assert one_launch.prefers_prefill(wide, kernels, 132, resident_blocks=lambda k: 2) is two
    assert one_launch.prefers_prefill(wide, kernels, 132, resident_blocks=lambda k: 1) is one  # a GPU that holds one
    assert one_launch.prefers_prefill(wide, kernels[::-1], 132, resident_blocks=lambda k: 1) is one  # in any order


@pytest.mark.parametrize("segs, rows, want_one, want_two", [
    (256, 256, 1, 2), (264, 264, 1, 2), (528, 528, 1, 2), (238, 238, 1, 2),  # one-row segments filling 90% of 264
    (237, 237, 1, 1), (200, 200, 1, 1),  # fewer: a tie keeps one (200: 1.02-1.03x in two)
    (67, 67, 1, 2), (120, 120, 1, 2), (132, 132, 1, 2), (110, 220, 1, 2),  # but 67-132 (entry 299: 0.31-0.99x but
    (99, 297, 1, 1), (66, 66, 2, 2),  # h2048 r16 x 132 1.04-1.06x); three rows a segment: one; 66: no tie
    (264, 792, 1, 1), (132, 2640, 1, 1),  # 3 and 20 rows a segment: both ways in two (0.96-1.05x), one
    (140, 140, 2, 2), (64, 64, 2, 2), (300, 300, 2, 2)])  # no tie: both take the faster size
def test_prefill_cluster_ties_go_to_two_for_the_kernel_of_two_blocks_an_sm(segs, rows, want_one, want_two):
    """benchmarks/NOTES.md entry 248: where one block and two a cluster end a batch's tiles in as many tile-times,
    the one-block kernel's launch takes one (no swap of v); the kernel of two blocks an SM takes two on one-row
    segments whose tiles fill 90% of its places (r16 distinct bs256 0.960-0.988x) or are more than clusters of 2 one
    block an SM and at most the SMs (entry 299), else one. Outside a tie both take
    the faster size (at 132 SMs, two: the one-block count never wins alone). The dispatch rules' models count the
    smaller size on a tie for both kernels."""
    one = PREFILL_SHORT[1]
    two = dataclasses.replace(one, name=one.name + "_b2", blocks_per_sm=2)
    problem = prefill_prob(rows=rows, segs=segs, longest=rows // segs)  # the lengths known, as the bench's batches
    launched = [one_launch.prefill_cluster(problem, k, 132, launched=True) for k in (one, two)]
    assert launched == [want_one, want_two]
    assert one_launch.prefill_cluster(problem, two, 132) == want_one  # the dispatch rules' models: one count
    geometry = plan(problem, two, 132, clusters=True, resident_blocks=2)
    assert (geometry.cluster, geometry.grid[1]) == (want_two, want_two)


def test_prefill_geometry_is_one_persistent_block_an_sm_at_most():
    full = plan(prefill_prob(rows=8192, segs=8), PREFILL[0], 132, clusters=True, resident_blocks=1)
    assert (full.grid, full.cluster) == ((132, 1, 1), 1)  # 128 tiles: one tile-time with or without clusters
    half = plan(prefill_prob(rows=4096, segs=64), PREFILL[0], 132, clusters=True, resident_blocks=1)
    assert (half.grid, half.cluster) == ((66, 2, 1), 2)  # 64 tiles: clusters of two, each block half a tile
    small = plan(prefill_prob(rows=1000, segs=3), PREFILL[0], 132, clusters=True, resident_blocks=1)
    assert small.grid == (16 + 3, 2, 1)  # every tile its cluster: T / 64 rounded up, one partial tile per segment




def test_64_row_tile_runs_clusters_of_four_where_all_its_tiles_fit_one_wave_of_them(monkeypatch):
    """Entries 319, 322 and 324: the 64-row tile in clusters of four where every row tile (prefill_tiles_bound) fits one
    wave of them, as the driver counts them (30 on the H200, not 132 / 4), at ranks of 32 and up with adapters of
    2**18 elements or more, on segments of 64 rows or more on average; it takes rank 128's mid-size batches from
    rank_split's halves. Otherwise clusters of at most two."""
    held = h200_clusters
    r128 = R128_PREFILL
    kernels = R64_PREFILL + [r128]

    def batch(segs, rows, rank=128, h=4096):  # the lengths known to the host, as the bench's batches
        problem = dataclasses.replace(fused_prob(rank=rank, rows=segs * rows, segs=segs, h_in=h, h_out=h),
                                      max_segment_rows=rows)
        return problem, dataclasses.replace(problem, op="prefill")

    def cluster(problem, kernel=r128, counts=held):
        return one_launch.prefill_cluster(problem, kernel, 132, launched=True, resident_clusters=counts)

    for segs, rows in ((1, 1024), (2, 512), (8, 128), (3, 400), (1, 1920), (10, 100)):  # 16-30 tiles
        add_lora, prefill = batch(segs, rows)
        assert one_launch.one_launch_kernel(add_lora, kernels, 132, resident_clusters=held) == r128
        launch = plan(prefill, r128, 132, clusters=True, resident_blocks=1, resident_clusters=held)
        assert launch.cluster == 4 and launch.grid[0] <= 30  # no more clusters than the GPU holds
    assert cluster(batch(2, 512, rank=64)[1], R64_PREFILL[0]) == 4
    assert cluster(batch(4, 480)[1]) == 2  # 30 tiles of rows, but 32 as the segments fall: two waves of four
    assert cluster(batch(4, 480)[1], counts=None) == 4  # ... where the GPU held 132 / 4
    for segs, rows in ((2, 1024), (1, 1984), (24, 32), (40, 31)):  # 31-32 tiles; half-filled tiles
        assert cluster(batch(segs, rows)[1]) <= 2
    r32 = dataclasses.replace(R64_PREFILL[0], rank=32)
    assert cluster(batch(2, 512, rank=32)[1], r32) == 4
    assert cluster(batch(2, 512, rank=32, h=2048)[1], r32) <= 2  # 131072 elements of adapter
    assert cluster(batch(2, 512, rank=16)[1], PREFILL[0]) <= 2
    monkeypatch.setattr(one_launch, "PREFILL_OCTET", 0)
    assert cluster(batch(1, 960)[1]) == 4  # 15 tiles: clusters of 8 where their switch is on (the next test)
    monkeypatch.setattr(one_launch, "PREFILL_QUAD", 0)  # the switch: the halves, as before entry 319
    assert one_launch.one_launch_kernel(batch(2, 512)[0], kernels, 132, resident_clusters=held) is None


def test_64_row_tile_runs_clusters_of_eight_where_all_its_tiles_fit_one_wave_of_them(monkeypatch):
    """Entries 327 and 332: the 64-row tile in clusters of eight where every row tile fits one wave of them (15 on the
    H200, not 132 / 8) and each block streams 5 chunks of h_in and h_out or more; rank 128 from any other path, ranks
    below only for the batches the 64-row tile takes without them."""
    r128 = R128_PREFILL

    def problems(segs, rows, rank=128, h_in=4096, h_out=4096):  # the lengths known to the host
        problem = dataclasses.replace(fused_prob(rank=rank, rows=segs * rows, segs=segs, h_in=h_in, h_out=h_out),
                                      max_segment_rows=rows)
        return problem, dataclasses.replace(problem, op="prefill")

    def cluster(problem, kernel=r128, counts=h200_clusters):
        return plan(problem, kernel, 132, clusters=True, resident_blocks=1, resident_clusters=counts).cluster

    for segs, rows in ((1, 960), (4, 192), (2, 448), (8, 64), (15, 64), (2, 256), (1, 512)):  # 8-15 tiles
        add_lora, prefill = problems(segs, rows)
        kernels = R64_PREFILL + [r128]
        assert one_launch.one_launch_kernel(add_lora, kernels, 132, resident_clusters=h200_clusters) == r128
        launch = plan(prefill, r128, 132, clusters=True, resident_blocks=1, resident_clusters=h200_clusters)
        assert launch.cluster == 8 and launch.grid[0] <= 15  # no more clusters than the GPU holds
    assert cluster(problems(16, 64)[1]) == 4  # 16 tiles: one more than a wave of eight
    assert cluster(problems(16, 64)[1], counts=None) == 8  # ... where the GPU held 132 / 8
    assert cluster(problems(1, 960, h_in=2048, h_out=2048)[1]) == 4  # 4 chunks a block (entry 327: 0.98-1.14x)
    assert cluster(problems(1, 960, h_in=2048, h_out=3072)[1]) == 8  # 5 chunks a block (entry 332: 0.87-0.94x)
    # rank 64: from its 16-row tile where the 64-row tile was offered in clusters of 4 (14336 -> 4096, 0.80-0.96x) ...
    r64 = [k for k in R64_PREFILL if k.warp_rows == 64]
    add_lora, prefill = problems(1, 960, rank=64, h_in=14336)
    assert one_launch.prefers_prefill(prefill, R64_PREFILL, 132, resident_clusters=h200_clusters) == r64[0]
    assert cluster(prefill, r64[0]) == 8
    # ... but not where only clusters of 8 would offer it: 512 rows at 4096 -> 14336 keep the other paths (the fused
    # kernel's 32-row tile: 1.07-1.18x)
    _, wide = problems(1, 512, rank=64, h_out=14336)
    assert one_launch.prefers_prefill(wide, R64_PREFILL, 132, resident_clusters=h200_clusters) is None
    monkeypatch.setattr(one_launch, "PREFILL_OCTET", 0)
    assert cluster(problems(1, 960)[1]) == 4


@pytest.mark.parametrize("tiles, want", [(1, 2), (66, 2), (67, 1), (132, 1), (133, 2), (198, 2), (199, 1), (264, 1)])
def test_prefill_cluster_ends_the_tiles_in_the_fewest_tile_times(tiles, want):
    """Clusters of two halve a tile's time and the clusters the SMs hold: two when that ends sooner, else one."""
    assert one_launch.prefill_cluster(prefill_prob(rows=64 * tiles, segs=1), PREFILL[0], 132) == want
    with pytest.raises(UnsupportedError, match="sm_90"):
        plan(prefill_prob(), PREFILL[0], 132, clusters=False)


# ---- a rank without a one-launch kernel, as two half-rank launches ---------------------------------------------

def test_rank_split_runs_a_rank_without_a_one_launch_kernel_as_two_halves(monkeypatch):
    """r128 with a fused kernel at r64 only: two r64 launches; not where r128 has its own kernel, where the half
    has none (r96: no r48 kernel) or off the 16-wide steps (r136), nor with RANK_SPLIT off or several slices."""
    problem = fused_prob(rank=128, rows=16, segs=1)
    half = one_launch.rank_split(problem, HALF_RANK, 132)
    assert half == dataclasses.replace(problem, rank=64, slice_ranks=(64,))
    assert one_launch.one_launch_kernel(half, HALF_RANK, 132) is not None
    own = HALF_RANK + [rec(op="fused", rank=128, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=2, threads=128)]
    assert one_launch.one_launch_kernel(problem, own, 132) is not None
    assert one_launch.rank_split(problem, own, 132) is None
    assert one_launch.rank_split(fused_prob(rank=96, rows=16), HALF_RANK, 132) is None
    assert one_launch.rank_split(fused_prob(rank=136, rows=16), HALF_RANK, 132) is None
    two_slices = dataclasses.replace(problem, slice_hidden=(4096, 1024), slice_ranks=(128, 128))
    assert one_launch.rank_split(two_slices, HALF_RANK, 132) is None
    monkeypatch.setattr(one_launch, "RANK_SPLIT", 0)
    assert one_launch.rank_split(problem, HALF_RANK, 132) is None


R64_PREFILL = PREFILL[1:] + PREFILL_SHORT[2:]  # rank 64's 64-row tile and its 16-row tiles (128, 256 columns)
R128_PREFILL = rec(op="prefill", rank=128, hidden=0, warps=11, warp_rows=64, tile_n=128, unroll=1, threads=352,
                   smem_bytes=229520)  # rank 128's only prefill tile (codegen's PREFILL_TALL_ONLY_RANKS)


def test_rank_128_s_64_row_prefill_tile_takes_long_segments_and_the_halves_the_short_ones():
    """NOTES entry 195: rank 128's prefill kernel is the 64-row tile only (codegen's PREFILL_TALL_ONLY_RANKS). Long
    segments run on it in one launch, no longer as two rank-64 halves; many short segments, which only a 16-row tile
    takes, still run as two halves on rank 64's."""
    r64, r128 = R64_PREFILL, R128_PREFILL
    assert [k.rank for k in r64] == [64, 64, 64]
    long = fused_prob(rank=128, rows=8192, segs=8)
    assert one_launch.one_launch_kernel(long, r64 + [r128], 132) == r128
    assert one_launch.rank_split(long, r64 + [r128], 132) is None
    assert one_launch.rank_split(long, r64, 132).rank == 64  # without it: two halves on rank 64's 64-row tile
    short = fused_prob(rank=128, rows=4096, segs=256)
    assert one_launch.one_launch_kernel(short, r64 + [r128], 132) is None
    half = one_launch.rank_split(short, r64 + [r128], 132)
    assert half.rank == 64 and one_launch.one_launch_kernel(half, r64 + [r128], 132).warp_rows == 16


def test_rank_128_s_mid_size_batches_take_the_halves_where_their_16_row_tiles_stream_less(monkeypatch):
    """NOTES entry 199: between long and short segments, rank 128's 64-row tile takes the batches whose halves would
    run rank 64's 64-row tile (0.61-0.82x their time), but where the halves run the 16-row tile and stream fewer
    bytes an SM, both launches together, the halves run (24 segments of 32 rows: the one launch took 1.15-1.21x)."""
    r64, r128 = R64_PREFILL, R128_PREFILL
    kernels = r64 + [r128]

    def batch(segs, rows):  # the lengths known to the host, as the bench's batches
        return dataclasses.replace(fused_prob(rank=128, rows=segs * rows, segs=segs), max_segment_rows=rows)

    for segs, rows in ((3, 512), (24, 64), (1, 2048), (48, 64)):  # measured 0.61-0.82x
        assert one_launch.one_launch_kernel(batch(segs, rows), kernels, 132) == r128
    for segs in (24, 32):  # 32 rows a segment
        mid = batch(segs, 32)
        assert one_launch.one_launch_kernel(mid, kernels, 132) is None
        half = one_launch.rank_split(mid, kernels, 132)
        assert half.rank == 64 and one_launch.one_launch_kernel(half, kernels, 132).warp_rows == 16
    ranked = [dataclasses.replace(k, true_ranks=True) for k in kernels]
    with_ranks = dataclasses.replace(batch(24, 32), true_ranks=True)  # cuda_ops runs no halves with true ranks
    assert one_launch.one_launch_kernel(with_ranks, ranked, 132) == ranked[-1]
    monkeypatch.setattr(one_launch, "RANK_SPLIT", 0)  # no halves: the one launch
    assert one_launch.one_launch_kernel(batch(24, 32), kernels, 132) == r128


def test_rank_128_s_64_row_tile_takes_few_rows_batches_of_segments_longer_than_a_16_row_tile():
    """NOTES entry 227: batches of 17-31 rows a segment, which the few-rows rule gives the 16-row tile, run on rank
    128's 64-row tile (which it has alone) where its blocks keep PREFILL_FEW_ROWS_MIN_SM_PERCENT of the SMs busy
    (40-264 segments: 0.74-0.86x the halves' time), else as the halves (24 segments: 48 blocks); batches of at most 16
    rows a segment as before."""
    kernels = R64_PREFILL + [R128_PREFILL]

    def batch(segs, rows):
        return dataclasses.replace(fused_prob(rank=128, rows=segs * rows, segs=segs), max_segment_rows=rows)

    for segs, rows in ((40, 17), (40, 31), (132, 24), (264, 20)):
        assert one_launch.one_launch_kernel(batch(segs, rows), kernels, 132) == R128_PREFILL
    for segs, rows in ((24, 17), (24, 31), (132, 16), (264, 3)):  # not the one launch (the halves where they fit)
        assert one_launch.one_launch_kernel(batch(segs, rows), kernels, 132) is None
    for segs, rows in ((132, 16), (264, 3)):
        half = one_launch.rank_split(batch(segs, rows), kernels, 132)
        assert half.rank == 64 and one_launch.one_launch_kernel(half, kernels, 132).warp_rows == 16
    r64_batch = dataclasses.replace(batch(132, 24), rank=64, slice_ranks=(64,))  # a rank with a 16-row tile: as before
    assert one_launch.one_launch_kernel(r64_batch, kernels, 132).warp_rows == 16


# ---- the grid handoff with more column tiles a block in place of the pair (one_launch.handoff_over_pair) ----------

WIDE_FUSED = [rec(op="fused", rank=r, hidden=0, warps=8, warp_rows=16, tile_n=512, unroll=4, threads=256)
              for r in (8, 16)]


def _even(rank, rows, segs, h_in=4096, h_out=14336):
    return dataclasses.replace(fused_prob(h_in=h_in, h_out=h_out, rank=rank, rows=rows, segs=segs),
                               max_segment_rows=-(-rows // segs))


@pytest.mark.parametrize("rank, rows, segs, want", [
    (16, 16, 16, 16),  # distinct bs16 at 4096 -> 14336: 16 segments x 8 splits, 4 of 28 column tiles a block
    (16, 64, 17, 16),  # 17 segments x 7 splits
    (8, 256, 16, 8),   # rank 8 with 16 rows a segment (uniform bs256)
    (8, 256, 1, 8),    # one adapter over 256 rows: 16 row tiles x 8 splits
    (8, 16, 16, None),  # rank 8 at one row a segment: the pair (entry 157: 1.13x)
    (8, 64, 17, None),  # nor at ~4 rows a segment (1.11x)
])
def test_handoff_takes_four_column_tiles_a_block_where_the_pair_would_run(rank, rows, segs, want, monkeypatch):
    """NOTES entry 157: where neither the fused rule nor the prefill kernel takes a batch, the grid handoff with up to
    HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK column tiles a block, from rank 16 or from 16 rows a segment; 0 turns it
    off (the pair)."""
    kernels = WIDE_FUSED + PREFILL + PREFILL_SHORT
    problem = _even(rank, rows, segs)
    assert dispatch.prefers_fused(problem, kernels, 132) is None  # more tiles a block than HANDOFF_MAX_TILES_PER_BLOCK
    got = one_launch.one_launch_kernel(problem, kernels, 132)
    assert (got.rank if got else None) == want
    if got is not None:
        grid = dispatch.handoff_grid(problem, got, 132)
        assert dispatch.uses_handoff(problem, got) and dispatch._tiles_per_block(problem, got, grid) == 4
        monkeypatch.setattr(one_launch, "HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK", 0)
        assert one_launch.one_launch_kernel(problem, kernels, 132) is None


def test_handoff_over_the_pair_only_for_decode_sized_batches(monkeypatch):
    """Past HANDOFF_OVER_PAIR_MAX_ROWS (the largest batches entry 165 measured) the pair runs: 32 segments of 16 rows
    take the grid handoff, 33 do not; at 256 (entry 157's limit) 12 segments of 40 rows at h4096 keep the pair."""
    kernels = WIDE_FUSED + PREFILL + PREFILL_SHORT
    assert one_launch.handoff_over_pair(_even(16, 512, 32), kernels, 132) is WIDE_FUSED[1]
    assert one_launch.handoff_over_pair(_even(16, 528, 33), kernels, 132) is None
    assert one_launch.one_launch_kernel(_even(16, 480, 12, h_out=4096), kernels, 132) is WIDE_FUSED[1]
    monkeypatch.setattr(one_launch, "HANDOFF_OVER_PAIR_MAX_ROWS", 256)
    assert one_launch.handoff_over_pair(_even(16, 272, 17), kernels, 132) is None
    assert one_launch.one_launch_kernel(_even(16, 480, 12, h_out=4096), kernels, 132) is None


def test_handoff_over_the_pair_takes_up_to_twenty_four_column_tiles_a_block(monkeypatch):
    """Entries 159-168: 6 tiles a block took 4096 -> 14336 skewed bs64 (5 tiles) at r32-r64 from the pair, 8-12 more
    batches at wide h_out (0.76-0.92x, none slower), 16-24 batches at 3584 -> 18944 and 8192 -> 28672 (0.60-1.0x);
    24 one-row segments at rank 16 give 6 (5 splits of 28 column tiles), 28 give 7, 50 give 14 (2 splits), 70 give 28
    (1 split), past the limit; 12 leaves 50 to the pair, 6 leaves 28. (Since entry 300 the 16-row prefill tile takes
    43 one-row segments and more, in clusters of 2, so 50 reach the rule only with that line where it was.)"""
    kernels = WIDE_FUSED + PREFILL + PREFILL_SHORT
    problem = _even(16, 24, 24)
    got = one_launch.one_launch_kernel(problem, kernels, 132)
    assert got is WIDE_FUSED[1]
    assert dispatch._tiles_per_block(problem, got, dispatch.handoff_grid(problem, got, 132)) == 6
    assert one_launch.one_launch_kernel(_even(16, 28, 28), kernels, 132) is WIDE_FUSED[1]
    fifty = _even(16, 50, 50)
    assert one_launch.one_launch_kernel(fifty, kernels, 132).op == "prefill"
    monkeypatch.setattr(one_launch, "PREFILL_ONE_ROW_MIN_SM_PERCENT", 90)
    assert one_launch.one_launch_kernel(fifty, kernels, 132) is WIDE_FUSED[1]
    assert dispatch._tiles_per_block(fifty, WIDE_FUSED[1], dispatch.handoff_grid(fifty, WIDE_FUSED[1], 132)) == 14
    seventy = _even(16, 70, 70)
    assert dispatch._tiles_per_block(seventy, WIDE_FUSED[1], dispatch.handoff_grid(seventy, WIDE_FUSED[1], 132)) == 28
    assert one_launch.one_launch_kernel(seventy, kernels, 132) is None
    monkeypatch.setattr(one_launch, "HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK", 12)
    assert one_launch.one_launch_kernel(fifty, kernels, 132) is None
    monkeypatch.setattr(one_launch, "HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK", 6)
    assert one_launch.one_launch_kernel(problem, kernels, 132) is WIDE_FUSED[1]
    assert one_launch.one_launch_kernel(_even(16, 28, 28), kernels, 132) is None


R128 = rec(op="fused", rank=128, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=1, threads=128)


def test_handoff_over_the_pair_gives_rank_128_its_own_kernel_in_place_of_the_halves(monkeypatch):
    """Above rank 64 the limit is HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK's where the halves would run on the
    fused kernel (entries 159 and 163: 5-12 tiles a block 0.82-0.93x the halves); 0 leaves the batch to rank_split,
    whose rank-64 halves take HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK."""
    kernels = [R128, dataclasses.replace(R128, rank=64, tile_n=256, unroll=2)]  # (today's 256-column r64 tile)
    distinct = _even(128, 16, 16)  # 16 splits of two blocks an SM: 7 of 112 column tiles a block
    assert one_launch.one_launch_kernel(distinct, kernels, 132, lambda kernel: 2) is R128
    assert one_launch.one_launch_kernel(_even(128, 24, 24), kernels, 132, lambda kernel: 2) is R128  # 11 splits: 11
    assert one_launch.one_launch_kernel(_even(128, 40, 40), kernels, 132, lambda kernel: 2) is None  # 6 splits: 19
    monkeypatch.setattr(one_launch, "HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK", 0)
    assert one_launch.one_launch_kernel(distinct, kernels, 132, lambda kernel: 2) is None
    half = one_launch.rank_split(distinct, kernels, 132, lambda kernel: 2)
    assert half.rank == 64 and one_launch.one_launch_kernel(half, kernels, 132, lambda kernel: 2) is kernels[1]


def test_handoff_over_the_pair_gives_rank_128_less_in_place_of_halves_on_the_prefill_kernel(monkeypatch):
    """Where rank_split's halves run on the prefill kernel, rank 128's own kernel takes up to
    HANDOFF_OVER_PREFILL_HALVES_MAX_TILES_PER_BLOCK (entry 163: 8 tiles 0.84-0.96x, 12 1.15x), and none where they
    take its path for one-row segments (distinct bs64 at h4096; entry 159: 1.03-1.04x)."""
    kernels = [R128] + PREFILL + PREFILL_SHORT
    two = lambda kernel: 2  # noqa: E731
    distinct = _even(128, 64, 64, h_out=4096)
    assert one_launch.one_launch_kernel(distinct, kernels, 132, two) is None
    assert one_launch.one_launch_kernel(one_launch.rank_split(distinct, kernels, 132, two), kernels,
                                        132, two).op == "prefill"
    assert one_launch.one_launch_kernel(_even(128, 192, 64, h_out=4096), kernels, 132, two) is R128  # 8 tiles
    eleven = _even(128, 240, 80, h_out=4096)  # 3 splits: 11 of 32 column tiles a block
    assert one_launch.one_launch_kernel(eleven, kernels, 132, two) is None
    assert one_launch.one_launch_kernel(one_launch.rank_split(eleven, kernels, 132, two), kernels,
                                        132, two).op == "prefill"
    monkeypatch.setattr(one_launch, "HANDOFF_OVER_PREFILL_HALVES_MAX_TILES_PER_BLOCK", 12)
    assert one_launch.one_launch_kernel(eleven, kernels, 132, two) is R128
    assert one_launch.one_launch_kernel(distinct, kernels, 132, two) is None


def test_handoff_over_the_pair_comes_after_the_prefill_kernel():
    """Asked first, 4 tiles a block would take the prefill kernel's distinct bs64 from it (entry 157: 1.04-1.31x)."""
    kernels = WIDE_FUSED + PREFILL + PREFILL_SHORT
    distinct = _even(16, 64, 64, h_out=4096)
    assert one_launch.handoff_over_pair(distinct, kernels, 132) is WIDE_FUSED[1]
    assert one_launch.one_launch_kernel(distinct, kernels, 132).op == "prefill"
