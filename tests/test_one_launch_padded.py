"""add_lora at a rank whose own kernels do not take the batch, on a higher rank's one-launch kernels with every adapter
given the call's rank (one_launch_padded.py): rank 8's prefill batches, and ranks off the build's grid. Pure functions
of shapes (no GPU needed)."""
import dataclasses
import itertools

from sgmv import one_launch, one_launch_padded
from sgmv.dispatch import can_run
from sgmv.one_launch_padded import off_grid_rank, one_launch_or_padded, padded_one_launch, rank_parts
from dispatch_records import GRID_FUSED, GRID_PREFILL, fused_prob, rec


def test_rank_8_runs_the_prefill_batches_on_rank_16s_variant_for_true_ranks(monkeypatch):
    """padded_one_launch (NOTES entry 137): rank 8 has no prefill kernel; the batches the prefill kernel takes (long
    segments, many one-row segments) run on rank 16's variant for true ranks as a rank-16 problem with true ranks
    (cuda_ops gives every adapter rank 8). Not where the call gives true ranks, where rank 8 has a one-launch
    kernel, without the variant, or with PADDED_PREFILL 0."""
    prefill = [rec(op="prefill", rank=16, hidden=0, warps=11, warp_rows=r, tile_n=n, threads=352, true_ranks=t)
               for r, n in ((64, 128), (16, 256)) for t in (False, True)]
    for rows, segs in [(8192, 8), (4096, 64), (256, 256), (132, 132)]:
        problem = fused_prob(rank=8, rows=rows, segs=segs)
        padded, kernel = padded_one_launch(problem, prefill, 132)
        assert kernel.true_ranks and kernel.rank == 16 and kernel.warp_rows == (64 if segs < rows else 16)
        assert padded.op == "prefill" and padded.rank == 16 and padded.slice_ranks == (16,) and padded.true_ranks
        assert can_run(padded, kernel)
    many = fused_prob(rank=8, rows=256, segs=256)
    assert padded_one_launch(dataclasses.replace(many, true_ranks=True), prefill, 132) is None
    assert padded_one_launch(dataclasses.replace(many, rank=16, slice_ranks=(16,)), prefill, 132) is None
    assert padded_one_launch(many, [k for k in prefill if not k.true_ranks], 132) is None
    assert padded_one_launch(fused_prob(rank=8, rows=16, segs=16), prefill, 132) is None  # 16 tiles: few SMs
    with monkeypatch.context() as patched:  # a one-launch kernel of its own
        patched.setattr(one_launch_padded, "one_launch_kernel", lambda *args, **kwargs: prefill[0])
        assert padded_one_launch(many, prefill, 132) is None
    monkeypatch.setattr(one_launch_padded, "PADDED_PREFILL", 0)
    assert padded_one_launch(many, prefill, 132) is None


def test_rank_8_runs_rank_16_s_16_row_tile_at_its_own_rank_where_the_build_has_it(monkeypatch):
    """NOTES entries 173-174: with PADDED_PREFILL_OWN_TILE (the default), where padded_one_launch picked rank 16's
    variant for true ranks and the build has the same tile (rows, stage columns, blocks an SM) at rank 8 without true
    ranks, that kernel runs the call at its own rank (no table of ranks). Rank 8's prefill kernels are never offered on
    their own (one_launch_kernel), the 64-row tile's batches stay on rank 16's, and the switch at 0 keeps rank 16's
    everywhere."""
    prefill = [rec(op="prefill", rank=16, hidden=0, warps=11, warp_rows=r, tile_n=n, threads=352, true_ranks=t)
               for r, n in ((64, 128), (16, 256)) for t in (False, True)]
    r8 = [rec(op="prefill", rank=8, hidden=0, warps=11, warp_rows=16, tile_n=256, threads=352, blocks_per_sm=b)
          for b in (1, 2)]
    assert one_launch_padded.PADDED_PREFILL_OWN_TILE == 1
    two_blocks = [dataclasses.replace(k, blocks_per_sm=2) for k in prefill if k.warp_rows == 16]
    occupancy = lambda kernel: kernel.blocks_per_sm  # noqa: E731
    for rows, segs in [(256, 256), (132, 132), (66, 66), (4096, 512)]:
        problem = fused_prob(rank=8, rows=rows, segs=segs)
        assert one_launch.one_launch_kernel(problem, prefill + r8, 132) is None
        for blocks_per_sm in (1, 2):
            kernels = prefill + r8 + (two_blocks if blocks_per_sm == 2 else [])
            padded, chosen = padded_one_launch(problem, [k for k in kernels if k.rank == 16], 132, occupancy)
            own, kernel = padded_one_launch(problem, kernels, 132, occupancy)
            assert (kernel.rank, kernel.warp_rows, kernel.tile_n, kernel.true_ranks) == (8, 16, 256, False)
            assert kernel.blocks_per_sm == chosen.blocks_per_sm  # rank 16's choice, its tile at rank 8
            assert own == dataclasses.replace(problem, op="prefill") and can_run(own, kernel)
        assert chosen.blocks_per_sm == (2 if rows > 66 else 1)  # more tiles than SMs, or one-row tiles too many for
        # clusters of 2 one block an SM (entry 299): the two-block build
    padded, kernel = padded_one_launch(fused_prob(rank=8, rows=8192, segs=8), prefill + r8, 132)
    assert (kernel.rank, kernel.warp_rows, padded.rank, padded.true_ranks) == (16, 64, 16, True)
    two_only = [k for k in r8 if k.blocks_per_sm == 2]  # the chosen tile's build at rank 8 missing: rank 16's
    assert padded_one_launch(fused_prob(rank=8, rows=256, segs=256), prefill + two_only, 132)[1].rank == 16
    monkeypatch.setattr(one_launch_padded, "PADDED_PREFILL_OWN_TILE", 0)
    assert padded_one_launch(fused_prob(rank=8, rows=256, segs=256), prefill + r8, 132)[1].rank == 16


def test_the_rank_a_rank_off_the_grid_runs_at(monkeypatch):
    """off_grid_rank (entries 325 and 333): a rank with no one-launch kernel of its own, in whole 8-element (16-byte)
    pieces of B's rows, runs at the next rank up with a variant for true ranks (the fused or the prefill kernel's);
    rank 4's and 12's rows are not whole pieces, a rank with kernels of its own keeps them, and PADDED_OFF_GRID 0
    keeps the pair."""
    kernels = GRID_FUSED + GRID_PREFILL
    got = {rank: off_grid_rank(rank, kernels) for rank in (0, 4, 8, 12, 16, 24, 40, 48, 56, 96, 120, 136, 256)}
    assert got == {0: None, 4: None, 8: None, 12: None, 16: None, 24: 32, 40: 64, 48: 64, 56: 64, 96: 128, 120: 128,
                   136: None, 256: None}
    assert off_grid_rank(48, [k for k in kernels if k.rank != 64]) == 128
    assert off_grid_rank(48, [k for k in kernels if k.rank != 64 or k.op == "fused"]) == 64  # fused kernels only
    assert off_grid_rank(48, [k for k in kernels if k.rank != 64 or k.true_ranks]) == 64  # the variant only
    assert off_grid_rank(48, [k for k in kernels if k.rank != 64 or not k.true_ranks]) == 128  # plain ones only
    assert off_grid_rank(8, GRID_PREFILL) == 16  # a build without rank 8's kernels: off its grid
    monkeypatch.setattr(one_launch_padded, "PADDED_OFF_GRID", 0)
    assert off_grid_rank(48, kernels) is None


def test_ranks_off_the_grid_run_the_next_rank_s_one_launch_kernels(monkeypatch):
    """padded_one_launch at a rank off the grid (entry 333): the problem at the next rank with true ranks and narrow
    weights (cuda_ops gives every adapter the call's rank), and the one-launch kernel one_launch_kernel picks for it:
    the fused kernel for decode batches too, the prefill kernel for its batches, each only as its variant for true
    ranks (whose loads stay within each adapter's rank: the others would read past the narrower B); none without
    those variants. With PADDED_OFF_GRID_FUSED 0 only the prefill kernel's batches (entry 325); never where the call
    gives true ranks. A call at the kernels' own rank never takes the fused variant."""
    kernels = GRID_FUSED + GRID_PREFILL
    for rank, to in ((24, 32), (48, 64), (96, 128)):
        for rows, segs, op in ((1, 1, "fused"), (16, 16, "fused"), (256, 1, "fused"), (8192, 8, "prefill")):
            problem = fused_prob(rank=rank, rows=rows, segs=segs)
            assert one_launch.one_launch_kernel(problem, kernels, 132) is None
            padded, kernel = padded_one_launch(problem, kernels, 132)
            want = dataclasses.replace(problem, rank=to, slice_ranks=(to,), true_ranks=True, narrow_weights=True)
            assert padded == want and (kernel.op, kernel.rank, kernel.true_ranks) == (op, to, True)
            assert can_run(one_launch.one_launch_problem(padded, kernel), kernel)
            plain = [k for k in kernels if not (k.op == "fused" and k.true_ranks)]
            assert padded_one_launch(problem, plain, 132) is None or op == "prefill"
        own = fused_prob(rank=to, rows=1, segs=1)  # at its own rank, with or without a table of true ranks
        for call in (own, dataclasses.replace(own, true_ranks=True)):
            assert not one_launch.one_launch_kernel(call, kernels, 132).true_ranks
    problem = fused_prob(rank=48, rows=1, segs=1)
    assert padded_one_launch(dataclasses.replace(problem, true_ranks=True), kernels, 132) is None
    assert padded_one_launch(fused_prob(rank=12, rows=1, segs=1), kernels, 132) is None
    monkeypatch.setattr(one_launch_padded, "PADDED_OFF_GRID_FUSED", 0)
    assert padded_one_launch(problem, kernels, 132) is None  # a decode batch: the pair, as before entry 333
    padded, kernel = padded_one_launch(fused_prob(rank=48, rows=8192, segs=8), kernels, 132)
    assert (padded.rank, padded.true_ranks, kernel.op, kernel.rank) == (64, True, "prefill", 64) and kernel.true_ranks


def test_a_rank_no_one_launch_takes_whole_runs_in_parts(monkeypatch):
    """rank_parts (entry 336): where neither the call's own rank nor padded_one_launch takes a batch (96 over many
    one-row segments, which rank 128 runs as halves; every rank past 128 but 256 on its halves), consecutive parts of
    the rank, each the largest grid rank whose one-launch kernels take it, the last the rest in one launch of its own
    or padded (88's 24 on rank 32's variants); at most RANK_PARTS_MAX; none where one launch or the padded rank takes
    the whole, with true ranks, several slices, ranks off whole 8-element pieces, or RANK_PARTS 0."""
    kernels = GRID_FUSED + GRID_PREFILL
    one_row = dict(rows=256, segs=256)  # rank 128's fused and prefill kernels both decline these
    assert one_launch.one_launch_kernel(fused_prob(rank=128, **one_row), kernels, 132) is None
    for rank, parts in ((96, (64, 32)), (88, (64, 24)), (120, (64, 56)), (136, (64, 64, 8)), (192, (64, 64, 64)),
                        (256, (64, 64, 64, 64))):
        problem = fused_prob(rank=rank, **one_row)
        assert padded_one_launch(problem, kernels, 132) is None
        assert rank_parts(problem, kernels, 132) == parts and sum(parts) == rank
        for part in parts:  # each in one launch: at its own rank, or (a rank off the grid) padded
            run, kernel = one_launch_or_padded(fused_prob(rank=part, **one_row), kernels, 132)
            want = {8: 16, 24: 32, 56: 64}.get(part, part)  # rank 8's one-row batches: rank 16's prefill variant
            assert kernel.rank == run.rank == want and run.true_ranks == (want != part)
    for rank, parts in ((160, (128, 32)), (192, (128, 64)), (512, (128, 128, 128, 128))):
        assert rank_parts(fused_prob(rank=rank, rows=1, segs=1), kernels, 132) == parts  # rank 128 takes one row
    assert rank_parts(fused_prob(rank=640, rows=1, segs=1), kernels, 132) is None  # five parts
    for whole in (fused_prob(rank=96, rows=1, segs=1), fused_prob(rank=128, rows=1, segs=1)):
        assert rank_parts(whole, kernels, 132) is None  # padded to 128, or rank 128's own
    problem = fused_prob(rank=96, **one_row)
    assert rank_parts(dataclasses.replace(problem, true_ranks=True), kernels, 132) is None
    assert rank_parts(dataclasses.replace(problem, slice_hidden=(4096, 1024), slice_ranks=(96, 96)), kernels,
                      132) is None
    assert rank_parts(fused_prob(rank=100, **one_row), kernels, 132) is None
    with monkeypatch.context() as patched:  # every part at a rank of its own kernels: 88's 24 as 16 + 8, and rank 8
        patched.setattr(one_launch_padded, "RANK_PARTS_PADDED", 0)  # has no one-launch kernel for these batches
        assert rank_parts(fused_prob(rank=88, **one_row), kernels, 132) is None
        assert rank_parts(fused_prob(rank=96, **one_row), kernels, 132) == (64, 32)
    monkeypatch.setattr(one_launch_padded, "RANK_PARTS_MAX", 3)
    assert rank_parts(fused_prob(rank=256, **one_row), kernels, 132) is None
    monkeypatch.setattr(one_launch_padded, "RANK_PARTS", 0)
    assert rank_parts(problem, kernels, 132) is None


def test_the_one_launch_plan_takes_dispatch_s_paths_in_order(monkeypatch):
    """one_launch_plan (what cuda_ops.add_lora launches, and the bench names): the call's own one-launch kernel; else
    rank_split's two halves; else padded_one_launch's higher rank (a table of the call's rank); else rank_parts's parts,
    each as one_launch_or_padded picks it; else None (the launch pair). Its launches cover the rank once, in order; with
    true ranks in the call only its own kernel."""
    kernels = GRID_FUSED + GRID_PREFILL

    def plan(rank, rows, segs, **over):
        problem = dataclasses.replace(fused_prob(rank=rank, rows=rows, segs=segs),
                                      max_segment_rows=-(-rows // segs), **over)
        launches = one_launch_padded.one_launch_plan(problem, kernels, 132)
        if launches is not None:
            assert [launch.first for launch in launches] == list(
                itertools.accumulate([0] + [launch.part.rank for launch in launches[:-1]]))
            assert sum(launch.part.rank for launch in launches) == rank
            for launch in launches:
                assert launch.part == dataclasses.replace(problem, rank=launch.part.rank,
                                                          slice_ranks=(launch.part.rank,))
                assert can_run(one_launch.one_launch_problem(launch.run, launch.kernel), launch.kernel)
                assert launch.needs_rank_table == (launch.run.rank != launch.part.rank)
        return problem, launches

    problem, (own,) = plan(64, 1, 1)
    assert own.run == problem and own.kernel == one_launch.one_launch_kernel(problem, kernels, 132)
    problem, halves = plan(128, 256, 256)  # rank 128's kernels decline many one-row segments
    assert one_launch.rank_split(problem, kernels, 132) is not None
    assert [(h.part.rank, h.kernel.rank, h.needs_rank_table) for h in halves] == [(64, 64, False)] * 2
    problem, (padded,) = plan(96, 1, 1)
    assert (padded.run, padded.kernel) == padded_one_launch(problem, kernels, 132) and padded.needs_rank_table
    problem, parts = plan(88, 256, 256)
    assert rank_parts(problem, kernels, 132) == (64, 24)
    assert [(p.part.rank, p.kernel.rank, p.needs_rank_table) for p in parts] == [(64, 64, False), (24, 32, True)]
    assert len(plan(256, 256, 256)[1]) == 4
    assert plan(100, 1, 1)[1] is None  # B's rows not whole 16-byte pieces: the pair
    problem, (own,) = plan(64, 1, 1, true_ranks=True)
    assert own.run == problem and not own.needs_rank_table  # the caller's ranks (fused kernels read either)
    assert plan(96, 1, 1, true_ranks=True)[1] is None
    assert plan(128, 256, 256, true_ranks=True)[1] is None
    monkeypatch.setattr(one_launch, "RANK_SPLIT", 0)  # the halves' batch then as parts: 64 + 64
    assert [p.part.rank for p in plan(128, 256, 256)[1]] == [64, 64]
    monkeypatch.setattr(one_launch_padded, "RANK_PARTS", 0)
    assert plan(128, 256, 256)[1] is None and plan(88, 256, 256)[1] is None
