"""Kernel selection is a pure function of shapes (no GPU needed); test_dispatch_handoff_launches.py tests the grid
handoff's launch rules, test_one_launch.py and test_one_launch_gemv.py add_lora's one-launch choice past the fused
kernel's rule, test_launch_plan.py the launches."""
import dataclasses
import os
import types

import pytest

from sgmv import dispatch, one_launch, one_launch_padded
from sgmv.dispatch import Problem, can_run, select
from sgmv.launch_plan import plan
from sgmv.errors import UnsupportedError
from dispatch_records import (AVAILABLE, FLAT, FUSED, HALF_RANK, HANDOFF, PREFILL, PREFILL_SHORT, TALL, fused_prob,
                              prob, rec)


def test_exact_specialization_wins():
    assert select(prob(), AVAILABLE) is AVAILABLE[0]
    assert select(prob(op="expand"), AVAILABLE) is AVAILABLE[4]


def test_off_grid_shape_takes_the_generic_kernel():
    assert select(prob(rank=24, hidden=1000), AVAILABLE) is AVAILABLE[1]


def test_off_grid_hidden_size_takes_its_rank_s_kernel_of_any_hidden_size():
    """An h_in off the specialized sizes (3584: Qwen2-7B) runs the shrink of its rank and any h_in where the build has
    one (codegen's SHRINK_ANY_HIDDEN_RANKS), before the any-rank kernel; the exact size still wins."""
    rank_any_h = rec(op="shrink", hidden=0)
    assert select(prob(hidden=3584), AVAILABLE + [rank_any_h]) is rank_any_h
    assert select(prob(hidden=3584), AVAILABLE) is AVAILABLE[1]  # without it, the any-rank kernel
    assert select(prob(), AVAILABLE + [rank_any_h]) is AVAILABLE[0]
    assert select(prob(rank=24, hidden=3584), AVAILABLE + [rank_any_h]) is AVAILABLE[1]


def test_unaligned_rows_take_the_element_kernel():
    assert select(prob(aligned=False), AVAILABLE) is AVAILABLE[2]
    assert not can_run(prob(aligned=False), AVAILABLE[0])


def test_missing_kernel_names_the_constraint():
    with pytest.raises(UnsupportedError, match=r"no compiled shrink kernel runs fp16 r=24 h_in=1000 \(aligned rows\); "
                                                r"compiled: shrink_fp16_16_4096_True\. Rebuild with SGMV_KERNELS"):
        select(prob(dtype="fp16", rank=24, hidden=1000), AVAILABLE)


def test_row_tile_follows_mean_rows_per_segment():
    decode = rec(op="expand", warp_rows=16)
    prefill = dataclasses.replace(decode, name="expand_tall", warp_rows=32)
    both = [decode, prefill]
    assert select(prob(op="expand", rows=256, segs=256), both) is decode
    assert select(prob(op="expand", rows=256, segs=16), both) is decode
    assert select(prob(op="expand", rows=256, segs=1), both) is decode  # too few row tiles for tall ones
    assert select(prob(op="expand", rows=4096, segs=64), both) is prefill
    assert select(prob(op="expand", rows=8192, segs=8), both) is prefill


def test_narrow_expand_serves_many_short_segments():
    decode = rec(op="expand", warp_rows=16, hidden=0)
    narrow = dataclasses.replace(decode, name="expand_narrow", warp_rows=8, tile_n=512, narrow=True)
    prefill = dataclasses.replace(decode, name="expand_tall", warp_rows=32)
    kernels = [decode, narrow, prefill]
    assert select(prob(op="expand", rows=256, segs=256), kernels) is narrow  # 2048 blocks at h_out 4096
    assert select(prob(op="expand", rows=320, segs=40), kernels) is narrow  # 8 rows a segment, 320 blocks
    assert select(prob(op="expand", rows=8192, segs=8192), kernels) is narrow  # however many rows
    assert select(prob(op="expand", rows=328, segs=40), kernels) is decode  # 8.2 rows a segment
    assert select(prob(op="expand", rows=16, segs=16), kernels) is decode  # 128 blocks: too few
    assert select(prob(op="expand", rows=16, segs=16, hidden=14336), kernels) is narrow  # 16 x 28 blocks
    assert select(prob(op="expand", rows=8192, segs=8), kernels) is prefill
    assert select(prob(rows=256, segs=256), AVAILABLE) is AVAILABLE[0]  # shrinks have no narrow tile


def test_narrow_expand_beside_the_shrink_takes_smaller_grids():
    decode = rec(op="expand", warp_rows=16, hidden=0)
    narrow = dataclasses.replace(decode, name="expand_narrow", warp_rows=8, tile_n=512, narrow=True)
    kernels = [decode, narrow]
    alone = prob(op="expand", rows=32, segs=32, hidden=4096)  # 256 blocks
    beside = dataclasses.replace(alone, after_shrink=True)
    assert select(alone, kernels) is decode
    assert select(beside, kernels) is narrow
    assert select(dataclasses.replace(beside, num_rows=160), kernels) is decode  # 5 rows a segment
    assert select(dataclasses.replace(beside, num_rows=16, num_segments=16), kernels) is decode  # 128 blocks


def test_output_slices_select_by_every_slice():
    """A specialized h_out needs every slice to have it; the expand's specialized rank needs every slice to
    have it, while the shrink's bounds lower slice ranks at run time."""
    shrink = Problem("shrink", "bf16", 16, 4096, 64, 4, True, (4096, 4096), (16, 8))
    assert select(shrink, AVAILABLE) is AVAILABLE[0]
    mixed = Problem("expand", "bf16", 16, 0, 64, 4, True, (4096, 1024), (16, 8))
    assert select(mixed, AVAILABLE) is AVAILABLE[5]  # the generic kernel
    same_rank = Problem("expand", "bf16", 16, 0, 64, 4, True, (4096, 1024), (16, 16))
    hany = rec(op="expand", hidden=0)
    assert select(same_rank, AVAILABLE + [hany]) is hany
    launch = plan(same_rank, hany, 132)
    assert launch.tile_begins == (0, 32) and launch.grid[1] == 32 + 8  # 128-column tiles of each slice
    assert plan(shrink, AVAILABLE[0], 132).grid[0] == 2  # flat (lengths unknown): one block per slice and tile
    even = dataclasses.replace(shrink, max_segment_rows=16)
    assert plan(even, AVAILABLE[0], 132).grid[0] == 4 * 2  # (segment, slice) blocks


# ---- add_lora in one launch (the fused kernel) -----------------------------------------------------

@pytest.mark.parametrize("h, rows, segs, want", [
    (4096, 1, 1, 256),     # bs1: 16 blocks with 256-column tiles (the 512-column tile: one cluster of 8)
    (4096, 16, 1, 256),    # identical bs16
    (4096, 16, 4, 512),    # uniform bs16: 4 row tiles
    (4096, 64, 8, 512),    # uniform bs64: 8 segments, 64 blocks
    (4096, 64, 1, 512),    # identical bs64: 4 row tiles
    (8192, 1, 1, 512),     # h 8192: 16 blocks of 512 columns
    (8192, 16, 4, 512),
    (4096, 16, 16, -512),  # distinct bs16: 128 blocks or more; the grid handoff, 8 splits for 8 tiles of 512
    (8192, 64, 8, None),   # 128 blocks; the longest segment unknown: 4 row tiles of 8 segments, 4 splits for 16
    # column tiles (4 a block: the pair; with kernels for the flat grid, the handoff: see below)
    (4096, 256, 1, -512),  # identical bs256: 16 row tiles; the grid handoff
])
def test_fused_rule_follows_the_measured_cases(h, rows, segs, want):
    """benchmarks/NOTES.md entry 9: fused at rank <= 16 with at most 64 blocks, the tile nearest 16 blocks; larger
    launches take the grid handoff where it fits (entry 44; a negative width here)."""
    problem = fused_prob(h_in=h, h_out=h, rows=rows, segs=segs)
    got = dispatch.prefers_fused(problem, FUSED, 132)
    assert ((-got.tile_n if dispatch.uses_handoff(problem, got) else got.tile_n) if got else None) == want


def test_handoff_below_its_rank_only_where_the_cluster_sum_does_not_fit(monkeypatch):
    distinct = fused_prob(rows=16, segs=16)
    assert not dispatch.uses_handoff(fused_prob(), FUSED[0])  # bs1: 16 blocks, the cluster sum
    assert dispatch.uses_handoff(distinct, FUSED[1])
    monkeypatch.setattr(dispatch, "HANDOFF_BELOW_MIN_RANK", 0)
    assert not dispatch.uses_handoff(distinct, FUSED[1]) and dispatch.prefers_fused(distinct, FUSED, 132) is None


@pytest.mark.parametrize("h, rows, segs, want", [
    (8192, 1, 1, 256),      # 256 columns of h_in a warp (4 warps, clusters of 8): the cluster sum
    (8320, 1, 1, -256),     # 260 a warp: the grid handoff, the same tile
    (14336, 16, 1, -256),   # one adapter over 16 rows at h_in 14336 (entry 156: 6.4 -> 4.3 us)
    (8192, 16, 4, 512),     # the tile nearest 16 blocks has 8 warps, 1024 columns a block: the cluster sum
    (14336, 16, 4, -256),   # ... 1792 a block (224 a warp) over 4 row tiles: the handoff (entry 226: 5.0 -> 4.2 us)
    (14336, 64, 1, -256),   # one adapter over 64 rows: 4 row tiles (entry 226: 5.7 -> 4.5 us)
    (9216, 15, 5, 512),     # 5 row tiles: the cluster sum (entry 226: the handoff 0.88-1.07x)
    (14336, 64, 8, 512),    # 8 row tiles (entry 226: the handoff 1.02-1.08x)
    (16384, 64, 8, 512),    # 256 a warp: still within FUSED_MAX_WARP_COLUMNS
    (16512, 64, 8, -512),   # past it: the handoff (which ranks the 512-column tile first here)
])
def test_cluster_sum_only_where_its_warps_and_blocks_reduce_few_columns(h, rows, segs, want):
    """NOTES entries 156, 158 and 226: where the tile nearest FUSED_BEST_BLOCKS would reduce more than
    FUSED_MAX_WARP_COLUMNS columns of h_in a warp, or more than FUSED_MAX_BLOCK_COLUMNS a block on a batch of at most
    FUSED_HANDOFF_MAX_ROW_TILES row tiles, the grid handoff runs the batch (not the next tile's cluster sum, which was
    slower than it); a negative width here is the handoff."""
    problem = fused_prob(h_in=h, h_out=4096, rows=rows, segs=segs)
    got = dispatch.prefers_fused(problem, FUSED, 132)
    assert (-got.tile_n if dispatch.uses_handoff(problem, got) else got.tile_n) == want


def test_fused_rule_declines_what_it_cannot_or_should_not_run():
    assert dispatch.prefers_fused(fused_prob(rank=64), FUSED, 132) is None  # none compiled for it
    assert dispatch.prefers_fused(fused_prob(rank=32), FUSED + HANDOFF, 132) is None  # none compiled for it
    assert dispatch.prefers_fused(fused_prob(aligned=False), FUSED, 132) is None  # 16-byte vectors only
    assert dispatch.prefers_fused(fused_prob(dtype="fp16"), FUSED, 132) is None  # none compiled for it
    assert dispatch.prefers_fused(fused_prob(rank=8), FUSED, 132) is None  # specialized ranks only


def test_cluster_sum_only_in_kernels_that_carry_it():
    """Fused kernels above FUSED_MAX_RANK never run the cluster sum (the r64 256-column one does not carry it:
    codegen's KernelSpec.cluster_sum, NOTES entries 83 and 87): a problem of a low rank that only such a kernel runs
    takes the grid handoff."""
    r32 = [rec(op="fused", rank=32, hidden=0, warps=4, warp_rows=16, tile_n=256, unroll=4, threads=128)]
    problem = fused_prob(rank=8)  # bs1: 16 blocks, which the cluster sum would take in a rank-8 or -16 kernel
    assert not dispatch._cluster_sum_fits(problem, r32[0]) and dispatch._cluster_sum_fits(problem, FUSED[0])
    assert dispatch.uses_handoff(problem, r32[0]) and not dispatch.uses_handoff(fused_prob(), FUSED[0])
    got = dispatch.prefers_fused(problem, r32, 132)
    assert got is None or dispatch.uses_handoff(problem, got)


@pytest.mark.parametrize("h, rows, segs, max_rows, want, want_2", [
    (4096, 1, 1, 1, 128, (1, 128, 1)),       # bs1: 128 blocks, a chunk of h_in each (entry 48)
    (4096, 64, 1, 64, 128, (1, 32, 4)),      # identical bs64: 4 row tiles x 32 (two an SM: no fewer tiles a block)
    (4096, 16, 4, 4, 128, (4, 32, 1)),       # uniform bs16
    (8192, 1, 1, 1, 128, (1, 128, 1)),       # 128 blocks (256, two an SM, give no fewer tiles a block)
    (4096, 16, 1, 16, 128, (1, 64, 1)),      # identical bs16: a 16-row tile, HANDOFF_MAX_SPLIT_ROWS / 16 splits
    (8192, 64, 1, 64, 256, (1, 32, 4)),      # 4 row tiles: 32 splits, one per 256-column tile
    (4096, 64, 8, 8, 256, (8, 16, 1)),       # uniform bs64: 8 tiles, 16 splits for 16 tiles of 256 columns
    (8192, 64, 8, 8, 256, (8, 32, 1)),       # 16 splits for 32 column tiles (two each); two an SM: one each
    (4096, 16, 16, 1, 256, (16, 16, 1)),     # distinct bs16: 8 splits for 16 tiles; two an SM: 16 splits
    (4096, 64, 1, -1, 128, (1, 32, 4)),      # the longest segment unknown: T rows
    (4096, 256, 1, 256, 256, (1, 16, 16)),   # 16 row tiles
    (8192, 256, 1, 256, None, (1, 16, 16)),  # 8 splits for 32 tiles of 256 columns (4 each); two an SM: 2 each
    (4096, 64, 64, 1, None, None),           # distinct bs64: 2 splits (4 with two an SM) for 16 tiles
    (4096, 600, 1, 16, None, None),          # v larger than the workspace's buffers
])
def test_handoff_rule_follows_the_measured_cases(h, rows, segs, max_rows, want, want_2):
    """benchmarks/NOTES.md entries 41 and 44: from rank 32 the grid handoff, with at most two column tiles a block;
    with two blocks an SM where that means fewer tiles a block."""
    problem = dataclasses.replace(fused_prob(h_in=h, h_out=h, rank=64, rows=rows, segs=segs), max_segment_rows=max_rows)
    got = dispatch.prefers_fused(problem, HANDOFF, 132)
    assert (got.tile_n if got else None) == want
    got = dispatch.prefers_fused(problem, HANDOFF, 132, lambda kernel: 2)
    assert (dispatch.handoff_grid(problem, got, 132, 2) if got else None) == want_2


@pytest.mark.parametrize("h_in, h_out, rank, want, grid", [
    (14336, 4096, 64, 128, (8, 32, 1)),   # 224 columns of h_in a warp on 16 splits, 112 on 32: twice the splits
    (14336, 4096, 32, 128, (8, 32, 1)),   # (entry 232: 0.90-0.96x)
    (4096, 4096, 64, 256, (8, 16, 1)),    # 64 a warp: the fewest blocks (twice the splits 1.02-1.14x)
    (8192, 8192, 64, 256, (8, 32, 1)),    # 256 columns: 32 column tiles, one a block only with 32 splits
    (14336, 4096, 16, 256, (8, 16, 1)),   # below HANDOFF_MIN_RANK: the fewest blocks
])
def test_handoff_ties_of_column_tiles_go_to_fewer_columns_of_h_in_a_warp(h_in, h_out, rank, want, grid):
    """On a tie of column tiles a block (uniform bs64: one each), from HANDOFF_MIN_RANK the grid whose warps reduce
    fewer halvings of HANDOFF_MAX_WARP_COLUMNS columns of h_in, then the fewest blocks (NOTES entry 232)."""
    kernels = [dataclasses.replace(k, rank=rank) for k in HANDOFF]
    problem = dataclasses.replace(fused_prob(h_in=h_in, h_out=h_out, rank=rank, rows=64, segs=8), max_segment_rows=8)
    got = dispatch.prefers_handoff(problem, kernels, 132, lambda kernel: 2)
    assert (got.tile_n, dispatch.handoff_grid(problem, got, 132, 2)) == (want, grid)


def test_rank_128_takes_up_to_four_column_tiles_a_block():
    """Above rank 64 (rank 128's 128-column kernel) the grid handoff takes up to HANDOFF_WIDE_RANK_MAX_TILES_PER_BLOCK
    column tiles a block (NOTES entry 103); rank 64 keeps HANDOFF_MAX_TILES_PER_BLOCK."""
    r128 = [rec(op="fused", rank=128, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=1, threads=128)]
    wide = dataclasses.replace(fused_prob(h_in=8192, h_out=8192, rank=128, rows=256, segs=1), max_segment_rows=256)
    got = dispatch.prefers_fused(wide, r128, 132, lambda kernel: 2)  # 16 row tiles x 16 splits: 4 of 64 tiles each
    assert got is r128[0] and dispatch._tiles_per_block(wide, got, dispatch.handoff_grid(wide, got, 132, 2)) == 4
    r64 = [dataclasses.replace(r128[0], rank=64, unroll=2)]
    assert dispatch.prefers_fused(dataclasses.replace(wide, rank=64, slice_ranks=(64,)), r64, 132, lambda k: 2) is None
    distinct = dataclasses.replace(wide, num_rows=16, max_segment_rows=16, num_segments=16, slice_hidden=(14336,))
    assert dispatch.prefers_fused(distinct, r128, 132, lambda k: 2) is None  # 16 splits: 7 of 112 tiles a block


def test_handoff_numbers_the_row_tiles_flat_where_segments_are_skewed(monkeypatch):
    """handoff_flat (NOTES entry 135): one long segment among short ones (skewed popularity) or lengths the host does
    not know give every segment the longest one's row tiles; numbered over the batch (grid x 1, z at most T / 16 +
    segments) by the kernels for the flat grid, they take fewer blocks a split. Even lengths keep a segment a grid x
    and the other kernels; without kernels for the flat grid the others run as before."""
    skewed = dataclasses.replace(fused_prob(h_in=4096, h_out=4096, rank=64, rows=64, segs=20), max_segment_rows=20)
    assert dispatch.handoff_flat(skewed, HANDOFF[1])  # 4 + 20 tile slots against 20 segments x 2 tiles
    got = dispatch.prefers_fused(skewed, HANDOFF + FLAT, 132, lambda kernel: 2)
    assert got is FLAT[1]  # 256 blocks at most: 10 splits, 2 column tiles a block
    launch = plan(skewed, got, 132, clusters=True, resident_blocks=2)
    assert launch.handoff and launch.flat and launch.grid == (1, 10, 24)
    assert dispatch.prefers_fused(skewed, HANDOFF, 132, lambda kernel: 2) is None  # 40 blocks a split: 3 tiles a block
    unknown = dataclasses.replace(fused_prob(h_in=8192, h_out=8192, rows=64, segs=8))  # the longest unknown
    assert dispatch.prefers_fused(unknown, FUSED + [dataclasses.replace(k, flat_tiles=True) for k in FUSED],
                                  132).flat_tiles
    for rows, segs, longest in [(1, 1, 1), (16, 16, 1), (64, 8, 8), (256, 1, 256), (64, 1, -1)]:
        even = dataclasses.replace(fused_prob(rank=64, rows=rows, segs=segs), max_segment_rows=longest)
        assert not dispatch.handoff_flat(even, HANDOFF[1])
        got = dispatch.prefers_fused(even, HANDOFF + FLAT, 132, lambda kernel: 2)
        assert got is None or not got.flat_tiles
        assert not plan(even, HANDOFF[1], 132, clusters=True).flat
        assert plan(even, FLAT[1], 132, clusters=True).flat  # a kernel for the flat grid runs any batch flat
    assert plan(dataclasses.replace(skewed, num_rows=0), FLAT[1], 132, clusters=True).grid[2] == 1  # no rows: a tile
    r16 = dataclasses.replace(fused_prob(rank=16, rows=64, segs=20), max_segment_rows=20)
    flat16 = [dataclasses.replace(k, flat_tiles=True) for k in FUSED]
    monkeypatch.setattr(dispatch, "HANDOFF_ENABLED", False)  # SGMV_GRID_HANDOFF=0: never a kernel for the flat grid
    got = dispatch.prefers_fused(r16, FUSED + flat16, 132)
    assert got is None or not got.flat_tiles
    with pytest.raises(UnsupportedError, match="grid handoff"):
        plan(r16, flat16[0], 132, clusters=True)
    monkeypatch.setattr(dispatch, "HANDOFF_ENABLED", True)
    monkeypatch.setattr(dispatch, "HANDOFF_FLAT", 0)
    assert not dispatch.handoff_flat(skewed, HANDOFF[1])
    assert dispatch.prefers_fused(skewed, HANDOFF + FLAT, 132, lambda kernel: 2) is None


def test_handoff_geometry_splits_h_in_over_every_block():
    problem = dataclasses.replace(fused_prob(h_in=4096, h_out=5000, rank=64, rows=40, segs=3), max_segment_rows=20)
    launch = plan(problem, HANDOFF[0], 132, clusters=True)
    assert launch.handoff and launch.cluster == 1
    assert launch.grid == (3, 21, 2)  # 2 row tiles a segment; 128 blocks at most: 21 splits of h_in
    assert plan(problem, HANDOFF[0], 40, clusters=True).grid == (3, 6, 2)  # never more blocks than SMs
    # two blocks an SM give 42 splits (3 chunks each): one of the 40 column tiles a block, not two; with 20 SMs,
    # 3 splits (14 tiles a block) or 6 (7): six
    assert plan(problem, HANDOFF[0], 132, clusters=True, resident_blocks=2).grid == (3, 42, 2)
    assert plan(problem, HANDOFF[0], 20, clusters=True, resident_blocks=2).grid == (3, 6, 2)
    assert dispatch.handoff_grid(dataclasses.replace(problem, hidden=64), HANDOFF[0], 132)[1] == 2  # 2 chunks
    with pytest.raises(UnsupportedError, match="grid handoff"):
        plan(dataclasses.replace(problem, num_segments=200, num_rows=200), HANDOFF[0], 132, clusters=True)  # 213 tiles


def test_fused_geometry_is_clusters_of_column_tiles():
    launch = plan(fused_prob(h_out=3000, rows=3, segs=3), FUSED[0], 132, clusters=True)
    assert launch.cluster == dispatch.FUSED_CLUSTER and not launch.handoff
    assert launch.grid == (3, 16, 1)  # 12 column tiles of 256, rounded up to whole clusters of 8
    with pytest.raises(UnsupportedError, match="clusters"):
        plan(fused_prob(), FUSED[0], 132, clusters=False)


def test_grid_handoff_can_be_turned_off_from_the_environment():
    """SGMV_GRID_HANDOFF=0 (README: processes with fewer SMs than the device reports) keeps rank-64 decode batches
    off the grid handoff."""
    import subprocess
    import sys
    code = ("from sgmv import dispatch, manifest; p = dispatch.Problem('fused', 'bf16', 64, 4096, 1, 1, True, (4096,),"
            " (64,), 1); k = manifest.KernelRecord('k', 'u', 'fused', 'bf16', 64, 0, 4, 16, 128, 2, True, 128, 0, 32);"
            "print(dispatch.uses_handoff(p, k))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    for value, want in (("0", "False"), ("1", "True")):
        out = subprocess.run([sys.executable, "-c", code], env=dict(env, SGMV_GRID_HANDOFF=value), capture_output=True,
                             text=True, check=True).stdout.strip()
        assert out == want


def test_clear_selections_forgets_every_memoized_selection(monkeypatch):
    from sgmv import cuda_ops
    monkeypatch.setattr(cuda_ops, "select", lambda problem, kernels: "chosen")  # no compiled kernels needed
    monkeypatch.setattr(cuda_ops.loader, "device",
                        lambda index: types.SimpleNamespace(arch=90, max_smem_per_block=1 << 20))
    cuda_ops.clear_selections()
    cuda_ops._installed_kernel(Problem("expand", "bf16", 16, 4096, 1, 1, True), 0)
    assert cuda_ops._installed_kernel.cache_info().currsize == 1
    cuda_ops.clear_selections()
    assert all(memo.cache_info().currsize == 0 for memo in (
        cuda_ops._installed_kernel, cuda_ops._installed_one_launch_kernel, cuda_ops._over_installed))


def test_installed_selections_scan_only_the_kernels_of_the_problem_s_ops_and_dtype(monkeypatch):
    """cuda_ops hands dispatch only the installed kernels of the problem's op(s) and dtype (can_run requires both):
    the same choices as over every kernel, in a fraction of the host time."""
    import itertools
    from sgmv import cuda_ops, manifest

    def outcome(choose):
        try:
            return choose()
        except UnsupportedError as err:
            return str(err)
    kernels = tuple(AVAILABLE + PREFILL + PREFILL_SHORT + HANDOFF + FLAT + TALL + HALF_RANK
                    + [dataclasses.replace(k, name=k.name + "_fp16", dtype="fp16") for k in PREFILL + HANDOFF])
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=kernels))
    device = types.SimpleNamespace(arch=90, num_sms=132, max_smem_per_block=cuda_ops.loader.SM90_SMEM_PER_BLOCK,
                                   resident_blocks=lambda kernel: 2 if kernel.op == "fused" else 1,
                                   resident_clusters=lambda kernel, cluster: 132 // cluster)
    monkeypatch.setattr(cuda_ops.loader, "device", lambda index: device)
    cuda_ops.clear_selections()
    try:
        assert {k.op for k in cuda_ops._device_kernels(cuda_ops.ONE_LAUNCH_OPS, "fp16", 0)} == {"fused", "prefill"}
        for dtype, rank, rows, segs in itertools.product(("bf16", "fp16"), (8, 16, 64, 128), (1, 64, 256, 960, 8192),
                                                         (1, 8, 40, 64)):
            problem = dataclasses.replace(fused_prob(rank=rank, rows=rows, segs=min(segs, rows), dtype=dtype),
                                          max_segment_rows=-(-rows // min(segs, rows)))
            every = (one_launch.one_launch_kernel(problem, kernels, 132, device.resident_blocks),
                     one_launch.rank_split(problem, kernels, 132, device.resident_blocks),
                     one_launch_padded.padded_one_launch(problem, kernels, 132, device.resident_blocks))
            assert (cuda_ops._installed_one_launch_kernel(problem, 0), cuda_ops._installed_rank_split(problem, 0),
                    cuda_ops._installed_padded_one_launch(problem, 0)) == every, problem
            for op in ("shrink", "expand"):
                part = dataclasses.replace(problem, op=op)
                assert (outcome(lambda: cuda_ops._installed_kernel(part, 0))
                        == outcome(lambda: dispatch.select(part, kernels))), part
    finally:
        cuda_ops.clear_selections()


def test_an_add_lora_problem_is_aligned_where_its_shrink_and_its_expand_both_are():
    """Problem.for_add_lora (one pass over the four tensors, NOTES entry 341): aligned exactly where the shrink's rows
    (x, A) and the expand's (y, B: h_out and the rank in whole 8 elements) are all 16-byte aligned; views at odd
    offsets, strided rows and sizes off 8 each break it."""
    import itertools
    import torch
    from sgmv.dispatch import _aligned

    def views(rows, cols, offset, pad):
        base = torch.zeros(rows * (cols + pad) + offset, dtype=torch.bfloat16)
        return base[offset:offset + rows * (cols + pad)].view(rows, cols + pad)[:, :cols]

    seen = set()
    for h_in, h_out, rank, pad, *offsets in itertools.product((4096, 1036), (1032, 1020), (16, 12), (0, 4),
                                                               *[(0, 4)] * 4):
        x, y = views(3, h_in, offsets[0], pad), views(3, h_out, offsets[1], 0)
        a = views(2 * rank, h_in, offsets[2], 0).view(2, rank, h_in)
        b = views(2 * h_out, rank, offsets[3], 0).view(2, h_out, rank)
        got = Problem.for_add_lora(y, x, a, b, 1)
        want = (Problem.for_shrink(x, [a], 1).aligned and h_out % 8 == 0 and rank % 8 == 0
                and _aligned((y, y.stride(0)), (b, b.stride(0), b.stride(1))))
        assert got.aligned == want, (h_in, h_out, rank, pad, offsets)
        seen.add(got.aligned)
        assert (got.op, got.rank, got.hidden, got.slice_hidden, got.slice_ranks) == ("fused", rank, h_in, (h_out,),
                                                                                      (rank,))
    assert seen == {True, False}


def test_an_add_lora_problem_over_some_columns_of_y_is_that_of_their_view():
    """Problem.for_add_lora with y_col (a packed call's slice, NOTES entry 374) is the problem of the view y[:, y_col:]
    would give, at column offsets on and off 16 bytes, of a y whose base is and is not aligned."""
    import torch
    seen = set()
    for y_offset in (0, 8, 3):
        y = torch.zeros(4 * 3000 + y_offset, dtype=torch.float16)[y_offset:].view(4, 3000)
        x = torch.zeros(4, 1024, dtype=torch.float16)
        a = torch.zeros(3, 16, 1024, dtype=torch.float16)
        for y_col in (0, 8, 1020, 2040, 5):
            b = torch.zeros(3, 512, 16, dtype=torch.float16)
            got = Problem.for_add_lora(y, x, a, b, 2, 3, y_col=y_col)
            assert got == Problem.for_add_lora(y[:, y_col:y_col + 512], x, a, b, 2, 3), (y_offset, y_col)
            seen.add(got.aligned)
    assert seen == {True, False}
