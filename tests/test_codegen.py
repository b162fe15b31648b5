"""The generator: names, the default grid, rendering, the CLI and incremental writes (no GPU needed)."""
import dataclasses
import json
import pathlib
import re
import subprocess
import sys

import pytest

from codegen import spec as specmod
from codegen.render import generate, parse_archs, render, write_if_changed
from sgmv import dispatch

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = specmod.default_specs()


def test_names_are_unique():
    names = [s.name for s in SPECS]
    assert len(names) == len(set(names))


def test_name_is_stable():
    s = specmod.KernelSpec("shrink", "bf16", 16, 4096, warps=4, warp_rows=32, tile_n=16, unroll=4, vectorized=True)
    assert s.name == "sgmv_shrink_bf16_r16_h4096_w4m32n16u4_v8" and s.unit == "sgmv_shrink_bf16_r16"
    g = specmod.KernelSpec("expand", "fp16", 0, 0, warps=4, warp_rows=16, tile_n=256, unroll=2, vectorized=False)
    assert g.name == "sgmv_expand_fp16_rany_hany_w4m16n256u2_v1" and g.unit == "sgmv_expand_fp16_rany"


def test_units_are_the_kernels_of_an_op_dtype_and_rank():
    units = {}
    for s in SPECS:
        units.setdefault(s.unit, set()).add((s.op, s.dtype, s.rank))
        assert s.name.startswith(s.unit + "_")
    assert all(len(keys) == 1 for keys in units.values())
    assert len(units) == len({(s.op, s.dtype, s.rank) for s in SPECS}) < len(SPECS) // 4


def test_default_grid_covers_the_issue():
    keys = {(s.op, s.dtype, s.rank, s.hidden) for s in SPECS if s.rank}
    for op in ("shrink", "expand"):
        for dt in ("fp16", "bf16"):
            for r in (8, 16, 32, 64, 128):
                for h in (2048, 2560, 3072, 4096, 5120, 8192, 11008, 14336):
                    assert (op, dt, r, h) in keys
            assert any(s.op == op and s.dtype == dt and not s.rank and not s.hidden and not s.vectorized
                       for s in SPECS), "an unaligned generic kernel exists for every op and dtype"


def test_default_grid_has_rank_specialized_kernels_of_any_hidden_size():
    """Every rank's expand, and the shrink at SHRINK_ANY_HIDDEN_RANKS only, has a kernel of any hidden size: an h_in
    off HIDDEN_SIZES runs a shrink of its rank below 128 (NOTES.md, entry 315), rank 128 the any-rank kernel."""
    keys = {(s.op, s.dtype, s.rank) for s in SPECS if s.rank and not s.hidden and s.op in ("shrink", "expand")}
    for dt in ("fp16", "bf16"):
        for r in (8, 16, 32, 64, 128):
            assert ("expand", dt, r) in keys
            assert (("shrink", dt, r) in keys) == (r in specmod.SHRINK_ANY_HIDDEN_RANKS)
    assert specmod.SHRINK_ANY_HIDDEN_RANKS == (8, 16, 32, 64)


def test_default_grid_has_fused_kernels_for_small_ranks():
    """add_lora in one launch: every dtype at the ranks dispatch takes it for, any h_in and h_out, aligned rows:
    the cluster sum's tiles at ranks 8 and 16, the grid handoff's (128 and 256 columns) at ranks 32 and 64, and
    its 128-column tile at rank 128 (the 256-column one spills); and 32-row tiles for the grid handoff: 8 warps x 256
    or 512 columns at ranks 16-64 (NOTES entry 128), 4 warps x 128 and 8 x 256 columns at rank 128 (entries 209,
    387)."""
    fused = {(s.dtype, s.rank, s.tile_n) for s in SPECS if s.op == "fused" and s.warp_rows == 16}
    assert fused == {(dt, r, n) for dt in ("fp16", "bf16") for r, tiles in ((8, (256, 512)), (16, (256, 512)),
                                                                             (32, (128, 256)), (64, (128, 256)),
                                                                             (128, (128, 256)))
                     for n in tiles}
    extra = {(s.dtype, s.rank, s.tile_n) for s in specmod.default_specs(extra_tiles=True)
             if s.op == "fused" and s.warp_rows == 16}
    assert extra == {(dt, r, n) for dt in ("fp16", "bf16") for r in (8, 16, 32, 64, 128) for n in (64, 128, 256, 512)}
    tall = {(s.dtype, s.rank, s.tile_n, s.warps) for s in SPECS if s.op == "fused" and s.warp_rows == 32}
    assert tall == ({(dt, r, n, 8) for dt in ("fp16", "bf16") for r in (16, 32, 64) for n in (256, 512)}
                    | {(dt, 128, n, w) for dt in ("fp16", "bf16") for n, w in ((128, 4), (256, 8))})
    assert all(s.hidden == specmod.ANY and s.vectorized and s.warp_rows in (16, 32) for s in SPECS if s.op == "fused")
    bad = specmod.KernelSpec("fused", "bf16", 12, 0, warps=4, warp_rows=16, tile_n=256, unroll=4, vectorized=True)
    assert not specmod.valid_tile(bad)  # a rank of whole 16-byte vectors


def test_every_16_row_fused_tile_has_a_kernel_for_the_flat_grid():
    """KernelSpec.flat_tiles (NOTES entry 135): each 16-row fused tile twice, as itself and as the variant for the grid
    handoff with the batch's row tiles numbered flat (its name ends in _flat), the same tile and storage; no other
    kernel has the variant."""
    fused16 = [s for s in SPECS if s.op == "fused" and s.warp_rows == 16 and not s.tile_barrier and not s.packed
               and not specmod.one_barrier_only(s)]
    plain = {dataclasses.replace(s, flat_tiles=False) for s in fused16 if s.flat_tiles}
    assert plain == {s for s in fused16 if not s.flat_tiles} and len(fused16) == 2 * len(plain)
    for s in fused16:
        assert s.name.endswith("_flat") == s.flat_tiles
        assert s.smem_bytes == dataclasses.replace(s, flat_tiles=False).smem_bytes
    assert not any(s.flat_tiles for s in SPECS if s.op != "fused" or s.warp_rows != 16)
    tall = next(s for s in SPECS if s.op == "fused" and s.warp_rows == 32)
    assert not specmod.valid_tile(dataclasses.replace(tall, flat_tiles=True))


def test_the_one_barrier_tiles_come_without_twins():
    """NOTES entries 388 and 393: the 8-warp 16-row tile of ranks 64 and 128, plain and for true ranks, has no twin for
    the flat grid or for a barrier per row tile (dispatch takes it on launches of one barrier only: its
    HANDOFF_ONE_BARRIER_TILES names the same tiles, what codegen's FUSED_ONE_BARRIER_* build)."""
    lone = [s for s in SPECS if specmod.one_barrier_only(s)]
    assert {(s.dtype, s.rank, s.true_ranks) for s in lone} == {(dt, r, t) for dt in ("fp16", "bf16") for r in (64, 128)
                                                                for t in (False, True)}
    assert not any(s.flat_tiles or s.tile_barrier or s.packed for s in lone)
    assert set(dispatch.HANDOFF_ONE_BARRIER_TILES) == {(s.rank, s.warps, s.warp_rows) for s in lone}


def test_every_per_segment_fused_tile_has_a_kernel_with_a_barrier_per_row_tile():
    """KernelSpec.tile_barrier (NOTES entry 249): each fused tile but those for the flat grid twice, as itself and
    as the variant whose blocks wait for their own row tile only (its name ends in _tb), the same tile and storage;
    no other kernel has the variant, and it never combines with the flat grid."""
    fused = [s for s in SPECS if s.op == "fused" and not s.flat_tiles and not specmod.one_barrier_only(s)]
    plain = {dataclasses.replace(s, tile_barrier=False) for s in fused if s.tile_barrier}
    assert plain == {s for s in fused if not s.tile_barrier} and len(fused) == 2 * len(plain)
    for s in fused:
        assert s.name.removesuffix("_pk").endswith("_tb") == s.tile_barrier
        assert s.smem_bytes == dataclasses.replace(s, tile_barrier=False).smem_bytes
    assert not any(s.tile_barrier for s in SPECS if s.op != "fused")
    flat = next(s for s in SPECS if s.flat_tiles)
    assert not specmod.valid_tile(dataclasses.replace(flat, tile_barrier=True))


def test_the_shipped_16_row_tiles_have_a_variant_for_packed_calls():
    """KernelSpec.packed (NOTES entries 371-372): at FUSED_PACKED_RANKS each shipped 16-row fused tile, and its twins
    with a barrier per row tile and for the flat grid, once more as the variant for packed calls (its name ends in
    _pk), with the same tile, storage and compile unit; no other kernel (32-row tiles, true ranks' variants, the tiles
    without twins, other ops) has it."""
    packed = [s for s in SPECS if s.packed]
    plain = {dataclasses.replace(s, packed=False) for s in packed}
    want = {s for s in SPECS if s.op == "fused" and s.warp_rows == 16 and not (s.true_ranks or s.packed)
            and s.rank in specmod.FUSED_PACKED_RANKS and not specmod.one_barrier_only(s)}
    assert plain == want and len(packed) == len(want) == 2 * 3 * 2 * len(specmod.FUSED_PACKED_RANKS)
    for s in packed:
        twin = dataclasses.replace(s, packed=False)
        assert s.name == twin.name + "_pk" and s.unit == twin.unit and s.smem_bytes == twin.smem_bytes
    fused = [s for s in SPECS if s.op == "fused"]
    others = (next(s for s in fused if s.warp_rows == 32), next(s for s in fused if s.true_ranks),
              next(s for s in SPECS if s.op == "prefill"))
    for other in others:
        assert not specmod.valid_tile(dataclasses.replace(other, packed=True)), other.name


def test_fused_kernels_carry_the_cluster_storage_where_measured():
    """NOTES entries 83 and 87: ranks 8-32 (the cluster sum up to 16), and above them to rank 64 the tiles of one
    32-column tile a warp, carry the cluster's storage (shared with the grid handoff's second column tile where the
    kernel has several 32-column tiles a warp, entry 88); the others, rank 128's among them, keep none."""
    fused = [s for s in specmod.default_specs(extra_tiles=True) if s.op == "fused"]
    assert {(s.rank, s.tile_n) for s in specmod.default_specs()
            if s.op == "fused" and not s.cluster_sum and s.warp_rows == 16} == {(64, 256), (128, 128), (128, 256)}
    for s in fused:  # tiles of 32 rows (extra; entry 128) run with the grid handoff only: no cluster storage
        assert s.cluster_sum == (s.warp_rows == 16 and (s.rank <= 32 or (s.col_tiles == 1 and s.rank <= 64)))
        chunks, m_tiles = -(-s.rank // specmod.CHUNK), s.warp_rows // 16
        partial_tiles = s.warps // 2 if s.rank_halves else s.warps  # tiles in rank halves: a tile a warp pair
        assert s.rank_halves == (s.warp_rows == 32 and s.rank in (64, 128))
        split_v = 16 * 8 * m_tiles * (4 * 4 * chunks + 4)  # expand.cuh's SplitV: 8 lines an m-tile
        bare = (4 * partial_tiles * s.warp_rows * s.rank + split_v
                + 16 * s.threads * s.col_tiles * (4 * chunks + 2 * m_tiles))
        assert (s.smem_bytes == bare) == (not s.cluster_sum) and s.smem_bytes <= specmod.MAX_SMEM_BYTES
    assert not any(s.cluster_sum for s in specmod.default_specs() if s.op != "fused")


def test_occupancy_cap_holds_the_4_warp_fused_tiles_of_ranks_8_16_to_two_blocks_an_sm():
    """NOTES entry 267: split v frees registers in those tiles for a third block an SM, which lost; the loader keeps
    them at two (KernelSpec.occupancy_cap, in the manifest), but their flat twins, whose handoff grids take the third
    on purpose (entry 269). Every other kernel has no cap."""
    capped = {(s.op, s.rank, s.warps, s.flat_tiles) for s in specmod.default_specs() if s.occupancy_cap}
    assert capped == {("fused", 8, 4, False), ("fused", 16, 4, False)}
    for s in SPECS:
        want = 2 if (s.op, s.rank, s.warps, s.flat_tiles) in capped else 0
        assert s.manifest_row()["occupancy_cap"] == s.occupancy_cap == want
        if s.occupancy_cap:  # two blocks and their 1 KB reserves fit an SM: the cap, not shared memory, binds
            assert s.occupancy_cap * (s.smem_bytes + 1024) <= specmod.MAX_SMEM_BYTES + 1024


def test_default_grid_has_prefill_kernels_for_ranks_in_16_steps_rank_8_s_16_row_tile_and_rank_128_s_64_row_tile():
    """add_lora in one launch by streaming: every dtype at ranks 16, 32 and 64, 64-row tiles for long segments and
    16-row ones for many short segments (32-row ones, and 16-row ones of 128 columns, as extra tiles), any h_in
    and h_out, aligned rows, one block an SM; the tiles of PREFILL_TWO_BLOCK_TILES also as a variant of two, whose
    shared memory fits twice. Rank 8 (PREFILL_SHORT_ONLY_RANKS): the 16-row tile only, one and two blocks an SM,
    without the variant for true ranks (entries 173-174); its 128-column one as an extra tile. Rank 128
    (PREFILL_TALL_ONLY_RANKS): the 64-row tile only, with and without true ranks, its shrink's wgmma stages in whole
    1024 bytes (entry 195)."""
    prefill = {(s.dtype, s.rank, s.warp_rows) for s in SPECS if s.op == "prefill" and not s.phase}
    assert prefill == {(dt, r, rows) for dt in ("fp16", "bf16") for r in (16, 32, 64) for rows in (64, 16)} | {
        (dt, 8, 16) for dt in ("fp16", "bf16")} | {(dt, 128, 64) for dt in ("fp16", "bf16")}
    rank128 = [s for s in SPECS if s.op == "prefill" and not s.phase and s.rank == 128 and s.dtype == "bf16"]
    assert sorted((s.tile_n, s.blocks_per_sm, s.true_ranks) for s in rank128) == [(128, 1, False), (128, 1, True)]
    assert all(specmod.prefill_stage_bytes(s.warp_rows, s.tile_n, s.rank) % 1024 == 0 for s in rank128)
    extra_specs = specmod.default_specs(extra_tiles=True)
    extra = {(s.dtype, s.rank, s.warp_rows) for s in extra_specs if s.op == "prefill" and not s.phase}
    assert extra == prefill | {(dt, r, 32) for dt in ("fp16", "bf16") for r in (16, 32, 64)}
    rank8 = [s for s in SPECS if s.op == "prefill" and not s.phase and s.rank == 8 and s.dtype == "bf16"]
    assert sorted((s.tile_n, s.blocks_per_sm, s.true_ranks) for s in rank8) == [(256, 1, False), (256, 2, False)]
    extra8 = [s for s in extra_specs if s.op == "prefill" and not s.phase and s.rank == 8 and s.dtype == "bf16"]
    assert sorted((s.tile_n, s.blocks_per_sm) for s in extra8) == [(128, 1), (128, 2), (256, 1), (256, 2)]
    ranked8 = dataclasses.replace(rank8[0], true_ranks=True)
    assert not specmod.valid_tile(ranked8) and not specmod.valid_tile(dataclasses.replace(rank8[0], warp_rows=64))
    for s in (s for s in SPECS if s.op == "prefill" and not s.phase):
        assert s.hidden == specmod.ANY and s.vectorized and s.launch_bounds.endswith(f", {s.blocks_per_sm}")
        assert s.blocks_per_sm * (s.smem_bytes + 1024) <= specmod.MAX_SMEM_BYTES + 1024
        one_block_rank8 = s.rank in specmod.PREFILL_SHORT_ONLY_RANKS and s.blocks_per_sm == 1
        cap = specmod.PREFILL_SHORT_ONLY_MAX_STAGES if one_block_rank8 else specmod.PREFILL_MAX_STAGES
        assert 2 <= s.stages <= cap and s.smem_bytes <= specmod.MAX_SMEM_BYTES
    two = {(s.dtype, s.rank, s.warp_rows, s.tile_n, s.true_ranks)
           for s in SPECS if s.op == "prefill" and not s.phase and s.blocks_per_sm == 2}
    assert two == {(dt, 16, 16, 256, tr) for dt in ("fp16", "bf16") for tr in (False, True)} | {
        (dt, 8, 16, 256, False) for dt in ("fp16", "bf16")}
    assert not any(s.blocks_per_sm != 1 for s in SPECS if s.op != "prefill")
    bad = specmod.KernelSpec("prefill", "bf16", 24, 0, warps=18, warp_rows=64, tile_n=128, unroll=1, vectorized=True)
    assert not specmod.valid_tile(bad)  # v feeds the expand's MMAs in 16-wide rank steps


def test_default_grid_has_gemv_kernels_at_ranks_8_and_16_in_clusters_of_2_4_and_8():
    """The gather matrix-vector kernel for one-row segments (gemv.cuh; NOTES.md, entries 240-246, 305 and 306):
    ranks 8 and 16, both dtypes, any h_in and h_out, 8 warps of one row in clusters of 2, 4 and 8 and 4 warps in
    clusters of 4 and 8 (two blocks an SM), at rank 8 also of 2, tile_n the ranks each block of a cluster computes
    (rank / C); its shared memory the template's static_assert checks; nothing at other ranks or shapes, nor clusters
    of 16; the extra tiles add none."""
    gemv = [s for s in SPECS if s.op == "gemv"]
    assert sorted((s.dtype, s.rank, s.warps, s.gemv_cluster, s.tile_n) for s in gemv) == sorted(
        (dt, r, w, c, r // c) for dt in ("bf16", "fp16") for r in (8, 16)
        for w, c in ((8, 2), (8, 4), (8, 8), (4, 4), (4, 8)) + (((4, 2),) if r == 8 else ()))
    for s in gemv:
        assert s.hidden == specmod.ANY and s.vectorized and s.warp_rows == 1
        assert s.launch_bounds == f"{32 * s.warps}, 1"
        assert s.smem_bytes == 4 * s.warps * s.tile_n + 4 * 2 * s.rank + 16
        assert s.name == f"sgmv_gemv_{s.dtype}_r{s.rank}_hany_w{s.warps}m1n{s.tile_n}u1_v8"
        assert s.manifest_row()["gemv_cluster"]
    assert not any(s.gemv_cluster for s in SPECS if s.op != "gemv")
    r16 = next(s for s in gemv if s.rank == 16)
    assert not specmod.valid_tile(dataclasses.replace(r16, rank=32, tile_n=16))  # ranks 8 and 16 only
    assert not specmod.valid_tile(dataclasses.replace(r16, tile_n=1))  # clusters of 16: not offered
    assert not [s for s in specmod.default_specs(extra_tiles=True) if s.op == "gemv" and s not in SPECS]


def test_prefill_kernels_come_with_a_variant_for_true_ranks():
    """Each prefill tile twice: as it was, and with true ranks (prefill.cuh's kTrueRanks; its handed-over tiles
    carry the rank, 4 bytes more each, in shared memory rounded up to 16 bytes), but rank 8's
    (PREFILL_SHORT_ONLY_RANKS); of the other ops only the fused kernel has it (the next test)."""
    prefill = [s for s in SPECS if s.op == "prefill" and not s.phase and s.rank not in specmod.PREFILL_SHORT_ONLY_RANKS]
    plain = {dataclasses.replace(s, true_ranks=False): s for s in prefill if s.true_ranks}
    assert len(plain) * 2 == len(prefill) and set(plain) == {s for s in prefill if not s.true_ranks}
    for p, ranked in plain.items():
        assert ranked.name == p.name + "_ranks" and ranked.unit == p.unit and ranked.stages == p.stages
        assert p.smem_bytes <= ranked.smem_bytes <= p.smem_bytes + 16  # in whole 16 bytes: the 8 more may fit
    assert not any(s.true_ranks for s in SPECS if s.op not in ("prefill", "fused"))


def test_default_grid_has_the_standalone_ops_halves_of_the_64_row_prefill_tile():
    """The standalone shrink's and expand's kernels for tall batches (prefill.cuh's kPhase; NOTES.md, entry 368): the
    one-block 64-row prefill tile at ranks 16-128, both dtypes, once a half, named after it, with the tile's stages
    and shared memory; no half of another tile, for true ranks, or of another op."""
    halves = [s for s in SPECS if s.phase]
    assert sorted((s.dtype, s.rank, s.phase) for s in halves) == sorted(
        (dt, r, ph) for dt in ("bf16", "fp16") for r in (16, 32, 64, 128) for ph in ("shrink", "expand"))
    for s in halves:
        whole = dataclasses.replace(s, phase="")
        assert whole in SPECS and s.name == whole.name + "_" + s.phase and s.unit == whole.unit
        assert (s.stages, s.smem_bytes, s.threads, s.launch_bounds) == (
            whole.stages, whole.smem_bytes, whole.threads, whole.launch_bounds)
        assert s.manifest_row()["phase"] == s.phase
        for bad in (dict(true_ranks=True), dict(warp_rows=16, warps=10, tile_n=256), dict(op="shrink"),
                    dict(phase="both")):
            assert not specmod.valid_tile(dataclasses.replace(s, **bad)), bad
    assert not specmod.valid_tile(dataclasses.replace(next(s for s in SPECS if s.op == "gemv"), true_ranks=True))


def test_fused_kernels_at_the_padded_ranks_come_with_a_variant_for_true_ranks():
    """Each fused tile at FUSED_TRUE_RANKS_RANKS twice: as it was, and reading B only within each adapter's true rank
    (fused.cuh's kTrueRanks: for calls whose B rows are narrower, ranks off the grid; NOTES.md entry 333), in the same
    unit with the same shared memory; at the other ranks once. (Not the variants for packed calls: their calls read B at
    the rank.)"""
    fused = [s for s in SPECS if s.op == "fused" and not s.packed]
    plain = {dataclasses.replace(s, true_ranks=False): s for s in fused if s.true_ranks}
    assert {s.rank for s in plain} == set(specmod.FUSED_TRUE_RANKS_RANKS)
    assert set(plain) == {s for s in fused if not s.true_ranks and s.rank in specmod.FUSED_TRUE_RANKS_RANKS}
    for p, ranked in plain.items():
        assert ranked.name == p.name.replace("_v8", "_v8_ranks", 1) and ranked.unit == p.unit
        assert ranked.smem_bytes == p.smem_bytes and ranked.threads == p.threads


def test_prefill_consumer_warps_and_stages():
    """benchmarks/NOTES.md entry 45: 8 consumer warps for the 16-row tile (256-column stages), the 64-row tile's
    split where its partial v fit a stage; B staged unpadded; 8 warps need 8 column groups. Entry 46: besides the
    consumers, two producer warps and the walking warp. Entry 72: the stages that fit 150 KB (not the 10-13 of 220
    KB at rank 16), entry 89: at most 6 (rank 16's tiles, which fit 7 and 9). Entry 110: the 64-row tile with two
    consumer warpgroups at every rank. Entry 112: the 64-row tile's budget buys one more,
    the stage its warpgroup MMAs still read, under the same cap. Entry 195: rank 128's 64-row tile, 3 of 51 KB;
    entry 198: 4 of 48 KB, its rows without the unused 16 bytes. Entries 219-221: the 16-row tile with 128-column
    stages too where those fit more stages than 256 columns (rank 64: 6 against 3), 4 consumer warps. Entry 253: rank
    8's one-block tile, whose stages are smaller, 9 (PREFILL_SHORT_ONLY_MAX_STAGES); its two-block tile 6."""
    shipped = {(s.rank, s.warp_rows, s.tile_n, s.blocks_per_sm): (s.prefill_split, s.stages)
               for s in SPECS if s.op == "prefill" and s.dtype == "bf16"}
    assert shipped == {(8, 16, 256, 1): (8, 9), (8, 16, 256, 2): (8, 6), (16, 64, 128, 1): (2, 6),
                       (32, 64, 128, 1): (2, 6), (64, 64, 128, 1): (2, 5), (16, 16, 256, 1): (8, 6),
                       (16, 16, 256, 2): (8, 6), (32, 16, 256, 1): (8, 6), (64, 16, 256, 1): (8, 3),
                       (64, 16, 128, 1): (4, 6), (128, 64, 128, 1): (2, 4)}
    for rank in specmod.PREFILL_RANKS:  # the narrower 16-row stages shipped exactly where they fit more stages
        more = specmod.prefill_stages(16, 128, rank) > specmod.prefill_stages(16, 256, rank)
        short_ok = rank not in specmod.PREFILL_TALL_ONLY_RANKS
        assert ((rank, 16, 128, 1) in shipped) == (more and short_ok)
    assert all(s.warps == s.warp_rows // 16 * s.prefill_split + 3 for s in SPECS if s.op == "prefill")
    eight_of_128 = specmod.KernelSpec("prefill", "bf16", 16, 0, warps=11, warp_rows=16, tile_n=128, unroll=1,
                                      vectorized=True)
    assert eight_of_128.prefill_split == 8 and not specmod.valid_tile(eight_of_128)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_spec_renders(spec):
    text = render(spec)
    assert text.splitlines()[0] == f"// Generated by codegen from templates/{spec.template} for {spec.name}. Do not edit."
    assert f"void __launch_bounds__({spec.launch_bounds}) {spec.name}(" in text
    assert spec.launch_bounds.split(",")[0] == str(spec.threads)
    assert "offsetof(sgmv::SgmvParams, k_splits)" in text


def test_predicates_reject_bad_tiles():
    good = specmod.KernelSpec("shrink", "bf16", 16, 4096, 4, 32, 16, 4, True)
    assert all(p(good) for p in specmod.PREDICATES)
    assert not specmod.valid_tile(good.__class__(**{**good.__dict__, "warp_rows": 24}))
    assert not specmod.valid_tile(good.__class__(**{**good.__dict__, "rank": 32}))  # rank > tile_n
    assert not specmod.vector_ok(good.__class__(**{**good.__dict__, "hidden": 4100}))
    big = good.__class__(**{**good.__dict__, "warps": 32, "warp_rows": 64, "tile_n": 128, "rank": 128})
    assert not specmod.fits_smem(big)
    assert not specmod.arch_ok(75) and specmod.arch_ok(90)


def test_filter_globs():
    names = [s.name for s in specmod.filter_specs(SPECS, "*shrink_bf16_r16_h4096*;*rany*v1")]
    assert len(names) == 5  # one r16 shrink tile, four element-wise generic kernels
    assert "sgmv_shrink_bf16_r16_h4096_w4m16n16u4_v8" in names
    assert all(("r16_h4096" in n) or n.endswith("_v1") for n in names)
    assert len(list(specmod.filter_specs(SPECS, ""))) == len(SPECS)


def test_cli_list_prints_one_name_per_line():
    out = subprocess.run([sys.executable, "-m", "codegen", "list", "--kernels", "*expand_fp16_r16*"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out and all(re.fullmatch(r"sgmv_expand_fp16_r16_h(\d+|any)_\w+", n) for n in out)
    assert len(out) == 27  # (8 hidden sizes + any h_out, for output slices) x (decode, prefill, narrow) tiles
    assert all("_w4m16n256u2_" in n or "_w8m32n256u1_" in n or "_w4m8n512u2_" in n for n in out)
    r64 = subprocess.run([sys.executable, "-m", "codegen", "list", "--kernels", "*expand_fp16_r64*"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert len(r64) == 18  # no narrow tile above rank 16


def test_generate_writes_only_changes(tmp_path):
    chosen = list(specmod.filter_specs(SPECS, "*r16_h4096*"))
    names = generate(tmp_path, chosen, [90])
    files = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.cu")}
    units = {s.unit: [c.name for c in chosen if c.unit == s.unit] for s in chosen}
    assert sorted(units) == ["sgmv_expand_bf16_r16", "sgmv_expand_fp16_r16", "sgmv_shrink_bf16_r16",
                             "sgmv_shrink_fp16_r16"]
    assert sorted(files) == sorted(f"{n}.cu" for n in names + list(units))
    lines = (tmp_path / "units.txt").read_text().splitlines()
    assert {line.split()[0]: line.split()[1:] for line in lines} == units
    for unit, members in units.items():  # each unit's source includes its kernels', and nothing else
        assert re.findall(r'#include "(\w+)\.cu"', (tmp_path / f"{unit}.cu").read_text()) == members
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["archs"] == [90] and [k["name"] for k in manifest["kernels"]] == names
    assert manifest["nvcc_flags"] == ""  # a shipped build's
    assert [k["unit"] for k in manifest["kernels"]] == [s.unit for s in chosen]
    (tmp_path / "sgmv_stale.cu").write_text("old")
    generate(tmp_path, chosen, [90])
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.cu")} == files  # untouched, stale gone
    assert write_if_changed(tmp_path / "a.txt", "x") and not write_if_changed(tmp_path / "a.txt", "x")


def test_cli_generate_records_the_build_s_nvcc_flags(tmp_path):
    """CMake passes SGMV_NVCC_FLAGS as --nvcc-flags=...; the manifest keeps it, so an installed probe build says so."""
    subprocess.run([sys.executable, "-m", "codegen", "generate", "--out", str(tmp_path), "--kernels",
                    "*shrink_bf16_r16_h4096*", "--nvcc-flags=-DSGMV_PROBE_V_ONE_PART -lineinfo"],
                   cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads((tmp_path / "manifest.json").read_text())["nvcc_flags"] == "-DSGMV_PROBE_V_ONE_PART -lineinfo"
    cmake = (ROOT / "CMakeLists.txt").read_text()
    assert '"--nvcc-flags=${SGMV_NVCC_FLAGS}"' in cmake  # the same flags nvcc gets (sgmv_nvcc_flags)


def test_generate_rejects_an_empty_selection(tmp_path):
    with pytest.raises(ValueError, match="no kernel matches SGMV_KERNELS"):
        generate(tmp_path, [], [90])


@pytest.mark.parametrize("text, expected", [("90", [90]), ("80;90", [80, 90]), ("sm_90,80", [80, 90])])
def test_parse_archs(text, expected):
    assert parse_archs(text) == expected


@pytest.mark.parametrize("text, message", [("75", "need >= 80"), ("", "is empty"), ("hopper", "not a list")])
def test_parse_archs_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_archs(text)


def test_extra_tiles_are_candidates_only():
    extra = specmod.default_specs(extra_tiles=True)
    assert set(SPECS) < set(extra)
    assert len({s.name for s in extra}) == len(extra)
    for spec in set(extra) - set(SPECS):
        assert spec.rank and render(spec)


def test_cli_extra_tiles_env():
    import os
    env = dict(os.environ, SGMV_EXTRA_TILES="1")
    out = subprocess.run([sys.executable, "-m", "codegen", "list", "--kernels", "*expand_bf16_r16_h4096*"],
                         cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout.split()
    assert len(out) == 5 and "sgmv_expand_bf16_r16_h4096_w4m64n128u1_v8" in out


def test_codegen_s_shared_memory_limit_is_the_loader_s():
    """codegen's bound on a kernel's shared memory and the loader's sm_90 limit (which the stand-in devices take) are
    the same 227 KB: the package cannot import codegen, so each states it."""
    from codegen.spec import MAX_SMEM_BYTES
    from sgmv.loader import SM90_SMEM_PER_BLOCK
    assert MAX_SMEM_BYTES == SM90_SMEM_PER_BLOCK
