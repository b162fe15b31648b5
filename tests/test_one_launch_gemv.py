"""add_lora's one-launch choice for batches of one-row segments (one_launch_gemv.prefers_gemv: the gemv kernel,
gemv.cuh) is a pure function of shapes (no GPU needed)."""
import dataclasses
import pathlib
import sys

import pytest

from sgmv import one_launch, one_launch_gemv, one_launch_padded
from sgmv.dispatch import can_run
from sgmv.launch_plan import plan
from sgmv.errors import UnsupportedError
from dispatch_records import GEMV, PREFILL_SHORT, fused_prob

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
from dispatch_picks import resident_clusters as _h200_clusters  # noqa: E402  (the H200's counts: one place)


def _one_row_prob(segs, rows=None, longest=1, rank=16, dtype="bf16", **kw):
    return dataclasses.replace(fused_prob(rank=rank, rows=segs if rows is None else rows, segs=segs, dtype=dtype,
                                          **kw), max_segment_rows=longest)


_SHORT_TILES = PREFILL_SHORT + [dataclasses.replace(k, name=k.name + "_fp16", dtype="fp16") for k in PREFILL_SHORT]




@pytest.mark.parametrize("h_in, h_out, segs, want", [
    (4096, 4096, 1, None), (4096, 4096, 7, None),   # clusters of 8 on under 45% of the SMs
    (4096, 4096, 8, (4, 8)), (4096, 4096, 9, (4, 8)),  # 64-72 blocks (48-55%) of 42 KB each: 4 warps
    (8192, 8192, 8, (4, 8)), (4096, 14336, 8, (8, 8)),  # blocks of 84-87 KB (over GEMV_SMALL_BLOCK_BYTES), 1 round
    (3584, 18944, 8, None),                         # ... and 8-warp clusters of 8 in 2 rounds: neither limit
    (8192, 8192, 10, (8, 8)), (14336, 4096, 12, (8, 8)),  # 80 and 96 blocks: 60% of the SMs and more
    (4096, 4096, 15, (8, 8)),
    (4096, 4096, 16, (4, 4)), (8192, 8192, 16, (4, 8)),  # 8-warp clusters of 8 past one wave; 4-warp ones not,
    (2048, 2048, 16, (4, 4)), (5120, 5120, 16, (4, 8)),  # and of those the narrowest with blocks of at most 80 KB
    (4096, 14336, 16, (4, 8)), (3584, 18944, 16, None),  # 2 and 3 rounds of the expand for 4 warps
    (4096, 4096, 17, (4, 4)), (8192, 8192, 17, (8, 4)),  # 4-warp clusters of 8 past the SMs; 8192: 8-warp clusters
                                                        # of 4 (152 KB blocks, 1 round), the 4-warp ones take 2
    (4096, 14336, 20, (8, 4)), (8192, 8192, 30, (8, 4)),  # 80 and 120 blocks, 2 rounds of the expand at 14336
    (4096, 4096, 19, (4, 4)), (4096, 14336, 18, None),  # 4-warp clusters of 4 in 1 round, not 4
    (4096, 4096, 31, (8, 2)), (4096, 4096, 32, (8, 2)),  # 8-warp clusters of 2: 62-64 blocks of 144 KB in 1 round
    (8192, 8192, 32, None), (5120, 5120, 36, None),  # ... but in 2 rounds: neither limit
    (8192, 8192, 40, (8, 2)), (14336, 4096, 56, (8, 2)),  # 80 and 112 blocks
    (4096, 14336, 48, None), (3584, 18944, 48, None),  # clusters of 2 expanding in 4 and 5 rounds
    (4096, 4096, 64, (8, 2)), (2048, 2048, 60, (8, 2)),  # the prefill (fused) kernel would take them; 1 round
    (8192, 8192, 64, None), (4096, 4096, 67, None)])  # the prefill kernel's 16-row tile (2 rounds); past one wave
def test_gemv_kernel_takes_one_wave_launches_that_fill_the_sms(h_in, h_out, segs, want):
    """NOTES.md, entries 242, 245, 246, 288, 290 and 291's sweeps: the widest 8-warp cluster whose launch is one wave,
    where it fills 60% of the SMs; else, up to 19 segments, the widest 4-warp cluster on no more blocks than SMs where
    it is one wave and as wide, else the 8-warp pick, within the limits: 45% of the SMs with blocks of at most 80 KB or
    a thread's share of the expand in one round, at most 3 rounds of the expand (2 for 4 warps), and the prefill kernel
    does not take the batch unless a thread expands in one round (entry 291); the pick, (warps, cluster), is the gemv
    kernel of the call's dtype."""
    for dtype in ("bf16", "fp16"):
        prob = _one_row_prob(segs, dtype=dtype, h_in=h_in, h_out=h_out)
        got = one_launch.one_launch_kernel(prob, GEMV + _SHORT_TILES, num_sms=132, resident_clusters=_h200_clusters)
        assert ((got.warps, got.gemv_cluster) if got is not None and got.op == "gemv" else None) == want
        assert got is None or got.op != "gemv" or got.dtype == dtype
    if segs == 64:  # gemv alone would take it
        assert one_launch_gemv.prefers_gemv(dataclasses.replace(prob, op="gemv"), GEMV, 132, _h200_clusters) is not None


def test_gemv_over_the_prefill_kernel_only_where_a_thread_expands_in_one_round(monkeypatch):
    """NOTES.md, entry 291: 64 one-row segments at 4096 (one round of the expand) on the gemv kernel, though the
    prefill kernel's 16-row tile would take them; GEMV_OVER_PREFILL_MAX_ROUNDS 0 (a sweep's switch) leaves them to
    that tile, as at 8192 (two rounds) always."""
    def pick(hidden):
        got = one_launch.one_launch_kernel(_one_row_prob(64, h_in=hidden, h_out=hidden), GEMV + _SHORT_TILES,
                                           num_sms=132, resident_clusters=_h200_clusters)
        return got.op, got.gemv_cluster
    assert pick(4096) == ("gemv", 2)
    assert pick(8192)[0] == "prefill"
    monkeypatch.setattr(one_launch_gemv, "GEMV_OVER_PREFILL_MAX_ROUNDS", 0)
    assert pick(4096)[0] == "prefill"


@pytest.mark.parametrize("segs, want", [(8, 8), (16, 8), (17, 4), (33, 4), (34, 2), (66, 2), (67, None)])
def test_gemv_kernel_takes_the_widest_cluster_of_one_wave(segs, want, monkeypatch):
    """Without the driver's count, as many clusters as the SMs divide into (num_sms // cluster); the fill limits
    opened."""
    monkeypatch.setattr(one_launch_gemv, "GEMV_MIN_SM_PERCENT", 0)
    monkeypatch.setattr(one_launch_gemv, "GEMV_FULL_SM_PERCENT", 0)
    got = one_launch_gemv.prefers_gemv(dataclasses.replace(_one_row_prob(segs), op="gemv"), GEMV, num_sms=132)
    assert (got.gemv_cluster if got is not None else None) == want


def test_gemv_kernel_of_4_warps_where_the_8_warp_pick_leaves_sms_idle(monkeypatch):
    """The 4-warp clusters of 8 fit two blocks an SM, so the GPU holds 30 of them: they take 16 segments at 8192,
    where the 8-warp clusters of 4 would fill 48% of the SMs with 150 KB blocks; not 20 segments, where the 8-warp
    clusters of 4 fill 61%; GEMV_HALF_WARPS 0 (a sweep's switch) leaves only the 8-warp kernels, whose clusters of 4
    take 16 segments where GEMV_BIG_BLOCK_MAX_ROUNDS lets blocks over 80 KB in."""
    pick = lambda segs: one_launch_gemv.prefers_gemv(  # noqa: E731
        dataclasses.replace(_one_row_prob(segs, h_in=8192, h_out=8192), op="gemv"), GEMV, 132, _h200_clusters)
    assert (pick(16).warps, pick(16).gemv_cluster) == (4, 8)
    assert (pick(20).warps, pick(20).gemv_cluster) == (8, 4)
    monkeypatch.setattr(one_launch_gemv, "GEMV_HALF_WARPS", 0)
    assert (pick(16).warps, pick(16).gemv_cluster) == (8, 4)  # 150 KB blocks, but each thread expands in one round
    monkeypatch.setattr(one_launch_gemv, "GEMV_BIG_BLOCK_MAX_ROUNDS", 0)
    assert pick(16) is None
    assert (pick(20).warps, pick(20).gemv_cluster) == (8, 4)


def test_gemv_kernel_of_4_warps_in_its_narrowest_cluster_of_small_blocks(monkeypatch):
    """NOTES.md, entry 282: 16 one-row segments at 4096 in 4-warp clusters of 4 (64 blocks of 78 KB, 45% of the SMs
    and more), not 8 (0.83-0.89x; at 5120, 97 KB blocks, 1.16-1.25x: the parametrized picks above);
    GEMV_HALF_NARROW 0 (a sweep's switch) keeps the widest cluster."""
    pick = lambda: one_launch_gemv.prefers_gemv(  # noqa: E731
        dataclasses.replace(_one_row_prob(16), op="gemv"), GEMV, 132, _h200_clusters)
    assert (pick().warps, pick().gemv_cluster) == (4, 4)
    monkeypatch.setattr(one_launch_gemv, "GEMV_HALF_NARROW", 0)
    assert (pick().warps, pick().gemv_cluster) == (4, 8)


def test_rank_8_takes_its_own_gemv_kernel_by_the_same_rules():
    """NOTES.md, entry 305: rank 8's one-row batches on its own gemv kernels (0.42-1.0x the kernels before), by
    rank 16's rules: at 8192 x 16 segments 4-warp clusters of 8 (40 KB blocks under GEMV_SMALL_BLOCK_BYTES, where
    rank 16's are 84 KB), and the widest one-wave cluster of 8 warps at 64 segments (clusters of 2)."""
    pick = lambda segs: one_launch_gemv.prefers_gemv(  # noqa: E731
        dataclasses.replace(_one_row_prob(segs, rank=8, h_in=8192, h_out=8192), op="gemv"), GEMV, 132, _h200_clusters)
    assert (pick(16).rank, pick(16).warps, pick(16).gemv_cluster) == (8, 4, 8)
    assert (pick(64).rank, pick(64).warps, pick(64).gemv_cluster) == (8, 8, 2)
    prob = _one_row_prob(16, rank=8, h_in=8192, h_out=8192)
    assert one_launch_gemv.gemv_block_bytes(prob, 8) == 2 * (2 * 8192 + 10 * 1024)


@pytest.mark.parametrize("segs, h_in, h_out, want", [
    (36, 8192, 8192, (4, 8)), (42, 4096, 14336, (4, 8)),  # 8-warp clusters of 2: 2-4 rounds of 164-250 KB blocks
    (50, 5120, 13824, (4, 4)),                           # past the 45 clusters of 8 the H200 holds
    (80, 4096, 4096, (4, 2)), (132, 18944, 3584, (4, 2)),  # past the 66 8-warp clusters of 2: 4-warp ones, two an SM
    (133, 4096, 4096, (4, 2)), (264, 8192, 8192, (4, 2)),  # past those too: two waves of them (entry 310)
    (265, 4096, 4096, None),                             # three waves
    (80, 4096, 14336, None),                             # 7 rounds of the expand for 4 warps in clusters of 2
])
def test_rank_8_takes_4_warp_clusters_where_no_other_gemv_pick_holds(segs, h_in, h_out, want, monkeypatch):
    """NOTES.md, entry 306: where prefers_gemv's rules above take no gemv kernel for a batch of more than
    GEMV_HALF_MAX_SEGMENTS one-row segments, rank 8 (up to GEMV_FALLBACK_MAX_RANK) takes the widest one-wave 4-warp
    cluster within the fill limits and GEMV_FALLBACK_MAX_ROUNDS: 0.56-0.95x the kernels before at 36-132 segments;
    past one wave, the 4-warp cluster of fewest waves up to GEMV_FALLBACK_MAX_WAVES (entry 310: two, 0.87-1.01x);
    rank 16 lost 1.03-1.23x (its own 16-row prefill tile is nearer its bytes), so it keeps them; 0 switches it off."""
    prob = dataclasses.replace(_one_row_prob(segs, rank=8, h_in=h_in, h_out=h_out), op="gemv")
    pick = lambda p: one_launch_gemv.prefers_gemv(p, GEMV, 132, _h200_clusters)  # noqa: E731
    got = pick(prob)
    assert ((got.rank, got.warps, got.gemv_cluster) if got else None) == ((8,) + want if want else None)
    assert pick(dataclasses.replace(prob, rank=16, slice_ranks=(16,))) is None or segs < 40  # rank 16: not these
    monkeypatch.setattr(one_launch_gemv, "GEMV_FALLBACK_MAX_WAVES", 1)
    assert pick(prob) == (got if segs <= 132 else None)
    monkeypatch.setattr(one_launch_gemv, "GEMV_FALLBACK_MAX_RANK", 0)
    assert pick(prob) is None


def test_gemv_block_bytes():
    """A block's A rows and x over h_in, its share of B's rows and of y (read and written): bf16 at 4096 in clusters of
    4 is 4 rows of A (32 KB), x (8 KB), 1024 rows of B (32 KB) and y's 1024 columns twice (4 KB)."""
    prob = _one_row_prob(16)
    assert one_launch_gemv.gemv_block_bytes(prob, 4) == 2 * (5 * 4096 + 18 * 1024)
    assert one_launch_gemv.gemv_block_bytes(_one_row_prob(16, h_in=14336, h_out=4100), 8) == 2 * (3 * 14336 + 18 * 513)


def test_gemv_kernel_only_where_every_segment_is_known_to_be_one_row():
    """Lengths unknown on the host (device-built batches), a segment of two rows, another rank, true ranks, two
    output slices, unaligned rows, GEMV 0: not the gemv kernel."""
    pick = lambda p: one_launch_gemv.prefers_gemv(dataclasses.replace(p, op="gemv"), GEMV, num_sms=132)  # noqa: E731
    assert pick(_one_row_prob(48)) is not None
    assert pick(_one_row_prob(48, longest=-1)) is None
    assert pick(_one_row_prob(48, rows=0, longest=0)) is None  # every segment empty
    assert pick(_one_row_prob(48, rows=41, longest=2)) is None
    assert pick(_one_row_prob(48, rank=32)) is None
    assert pick(dataclasses.replace(_one_row_prob(48), true_ranks=True)) is None
    assert pick(dataclasses.replace(_one_row_prob(48), slice_hidden=(4096, 1024), slice_ranks=(16, 16))) is None
    assert pick(_one_row_prob(48, aligned=False)) is None
    saved = one_launch_gemv.GEMV
    try:
        one_launch_gemv.GEMV = 0
        assert pick(_one_row_prob(48)) is None
    finally:
        one_launch_gemv.GEMV = saved


def test_gemv_launch_is_a_cluster_of_blocks_a_segment():
    for kernel in GEMV[:2]:
        problem = dataclasses.replace(_one_row_prob(40), op="gemv")
        launch = plan(problem, kernel, num_sms=132, clusters=True)
        assert launch.grid == (40, kernel.gemv_cluster, 1) and launch.cluster == kernel.gemv_cluster
        assert launch.threads == 256 and launch.smem_bytes == kernel.smem_bytes and not launch.handoff
        with pytest.raises(UnsupportedError, match="clusters"):
            plan(problem, kernel, num_sms=132, clusters=False)
        assert can_run(problem, kernel) and not can_run(dataclasses.replace(problem, true_ranks=True), kernel)


def test_padded_one_launch_declines_what_the_gemv_kernel_takes_under_the_same_counts():
    """cuda_ops asks one_launch_kernel, then rank_split and padded_one_launch, each with the driver's cluster counts:
    the latter two ask one_launch_kernel again and must get its answer. Rank 8's 256 one-row segments take the gemv
    fallback's two waves of 4-warp clusters under the H200's counts (fewer than 132 / C); padded_one_launch, asked with
    the same counts, declines them (it once asked with 132 / C, and the GPU test expecting its kernel failed)."""
    true_ranks_tiles = [dataclasses.replace(k, name=k.name + "_ranks", true_ranks=True) for k in PREFILL_SHORT]
    kernels = GEMV + _SHORT_TILES + true_ranks_tiles
    prob = _one_row_prob(256, rank=8)
    chosen = one_launch.one_launch_kernel(prob, kernels, 132, resident_clusters=_h200_clusters)
    assert chosen is not None and chosen.op == "gemv"
    assert one_launch_padded.padded_one_launch(prob, kernels, 132, resident_clusters=_h200_clusters) is None
