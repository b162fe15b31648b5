"""add_lora on the GPU where one_launch_padded.one_launch_plan runs a rank off its own one-launch kernels: two half-rank
launches (one_launch.rank_split), a higher rank's kernels with every adapter given the call's rank (padded_one_launch:
rank 8's prefill batches, ranks off the grid), or one launch a part of the rank (rank_parts); against a float64
reference on fresh random data, adapters followed by NaN or weights in allocations of their own (memcheck). Split from
test_gpu_one_launch.py.

Skipped with a reason on machines without a CUDA GPU.
"""
import dataclasses
import itertools
import zlib

import pytest
import torch

import sgmv
from sgmv import cuda_ops, loader, manifest, one_launch_padded, reference
from sgmv.dispatch import Problem
from conftest import Case, covered_rows, poison_allocator, requires_gpu
from gpu_checks import DEV, KERNELS, check_delta, graph_replays, random_weights

pytestmark = requires_gpu


# ---- a rank without a one-launch kernel as two half-rank launches (one_launch.rank_split) -------------------------

def _install_without(monkeypatch, drop) -> None:
    """cuda_ops selects from the installed manifest less the kernels for which drop(kernel) holds (for the test;
    with the clear_selections fixture)."""
    built = manifest.load()
    less = dataclasses.replace(built, kernels=tuple(k for k in built.kernels if not drop(k)))
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: less)
    cuda_ops.clear_selections()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows, layout", [(1, "single"), (16, "identical"), (64, "distinct"), (256, "uniform"),
                                          (311, "negative"), (4096, "uniform")])
@pytest.mark.parametrize("shape", [(4096, 4096), (1040, 1032)], ids=lambda s: "x".join(map(str, s)))
def test_add_lora_rank_halves(shape, rows, layout, dtype, clear_selections, monkeypatch):
    """Rank 128 without a one-launch kernel (the build's rank-128 fused kernel taken out of the manifest where it
    has one) where rank 64 has one: two one-launch add_loras over the halves of A's rows and B's columns (views),
    decode batches to 4096 rows; y rounded after each half, so twice its rounding. Where the half has none either
    (4096 rows at 1040 -> 1032), the launch pair at the full rank."""
    if loader.device(0).arch < 90:
        pytest.skip("the one-launch kernels need sm_90")
    h_in, h_out = shape
    case = Case(rows=rows, h_in=h_in, h_out=h_out, rank=128, n_lora=6, dtype=dtype, layout=layout, device=DEV,
                seed=rows + h_in)
    problem = Problem.for_add_lora(case.y, case.x, case.lora_a, case.lora_b, case.batch.num_segments,
                                   case.batch.max_segment_rows)
    _install_without(monkeypatch, lambda k: k.op in ("fused", "prefill") and k.rank == 128)
    assert cuda_ops._installed_one_launch_kernel(problem, 0) is None
    split = cuda_ops._installed_rank_split(problem, 0) is not None  # else the half too runs as the launch pair
    launched = []
    real = cuda_ops._launch_fused
    monkeypatch.setattr(cuda_ops, "_launch_fused", lambda kernel, part, *a: (launched.append(part.rank),
                                                                            real(kernel, part, *a)))
    poison_allocator(DEV)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    assert launched == ([64, 64] if split else [])
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    untouched = ~covered_rows(case.batch, case.rows, 6).to(DEV)
    check_delta(y, case.y, want, dtype, untouched, roundings=2 if split else 1)
    if rows == 16:  # captured in a graph too: both halves replay, the second after the first
        y = case.y.clone()
        for _ in graph_replays(case, y):
            check_delta(y, case.y, want, dtype, untouched, roundings=2 if split else 1)


# ---- rank 8 on rank 16's prefill kernel for true ranks, or its own 16-row tile; ranks off the grid -----------------
# (one_launch_padded.padded_one_launch)

@pytest.mark.parametrize("own_tile", [1, 0], ids=["own_tile", "rank16"])
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows, layout", [(256, "distinct"), (64, "distinct"), (311, "negative"), (4096, "uniform"),
                                          (2100, "empty"), (700, "zipf"), (1500, "distinct")])
@pytest.mark.parametrize("shape", [(4096, 4096), (1040, 1032)], ids=lambda s: "x".join(map(str, s)))
def test_rank_8_prefill_batches_on_rank_16s_variant_for_true_ranks(shape, rows, layout, dtype, own_tile, monkeypatch,
                                                                   clear_selections):
    """Rank 8 on the batches the prefill kernel takes: rank 16's variant for true ranks with every adapter at rank 8
    (NOTES entry 137), which must read the rank-8 weights within their bounds (each adapter's rows past rank 8 would
    be the next one's, and the last one is followed by NaN), or, where that is the 16-row tile, rank 8's own 16-row
    tile (PADDED_PREFILL_OWN_TILE, entries 173-174; one and two blocks an SM); -1 adapters,
    empty segments, h off the tiles; replayed in a graph too."""
    if loader.device(0).arch < 90:
        pytest.skip("the prefill kernel needs sm_90")
    if own_tile and not any(k.op == "prefill" and k.rank == 8 for k in KERNELS):
        pytest.skip("no rank-8 prefill kernel in this build (SGMV_KERNELS left it out)")
    monkeypatch.setattr(one_launch_padded, "PADDED_PREFILL_OWN_TILE", own_tile)  # (_run_padded clears the choices)
    padded, _, launched = _run_padded(shape, rows, layout, dtype, 8, monkeypatch)
    if padded is not None:  # else a fused kernel of rank 8 or the launch pair
        own = bool(own_tile) and padded[1].warp_rows == 16
        assert launched == [padded[1]] and padded[1].true_ranks != own and padded[1].rank == (8 if own else 16)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows, layout", [(256, "distinct"), (64, "distinct"), (311, "negative"), (4096, "uniform"),
                                          (2100, "empty"), (700, "zipf"), (1500, "distinct"), (16, "uniform"),
                                          (1, "single"), (16, "distinct"), (256, "identical"), (256, "uniform")])
@pytest.mark.parametrize("rank", [24, 48, 96])
@pytest.mark.parametrize("shape", [(4096, 4096), (1040, 1032)], ids=lambda s: "x".join(map(str, s)))
def test_ranks_off_the_grid_run_the_next_rank_s_one_launch_kernels(shape, rank, rows, layout, dtype, monkeypatch,
                                                                   clear_selections):
    """A rank with no kernels of its own (24, 48, 96) on the next rank's one-launch kernels (32, 64, 128) with every
    adapter at the call's rank (one_launch_padded.padded_one_launch, entries 325 and 333): the variants for true ranks
    of the prefill kernel and, for decode batches, of the fused kernel, each reading the narrower weights within their
    bounds (NaN after the last adapter); where none takes the batch, the launch pair; -1 adapters, empty segments, h
    off the tiles; replayed in a graph too."""
    if loader.device(0).arch < 90:
        pytest.skip("the one-launch kernels need sm_90")
    padded, parts, launched = _run_padded(shape, rows, layout, dtype, rank, monkeypatch)
    if padded is not None:
        assert launched == [padded[1]] and padded[1].rank == {24: 32, 48: 64, 96: 128}[rank]
        assert padded[1].true_ranks  # the variants for true ranks read the narrower B within its bounds
    else:  # in parts of the rank (one launch each: test_ranks_no_one_launch_takes_whole_run_in_parts), or the pair
        assert len(launched) == (len(parts) if parts else 0)
    if rows <= 16:
        assert padded is not None and padded[1].op == "fused", "a small decode batch runs the fused kernel"


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("rows, layout", [(256, "distinct"), (64, "distinct"), (1, "single"), (16, "uniform"),
                                          (311, "negative"), (2100, "empty"), (1500, "distinct")])
@pytest.mark.parametrize("rank", [88, 96, 136, 160, 256])
@pytest.mark.parametrize("shape", [(4096, 4096), (1040, 1032)], ids=lambda s: "x".join(map(str, s)))
def test_ranks_no_one_launch_takes_whole_run_in_parts(shape, rank, rows, layout, dtype, monkeypatch,
                                                      clear_selections):
    """A rank that neither its own kernels, rank_split's halves nor padded_one_launch take whole (96 and 88 over many
    one-row segments, ranks past 128) as consecutive parts of the rank (one_launch_padded.rank_parts, entry 336): one
    launch a part, each on views of A's rows and B's columns, at the part's own rank or padded (88's 24 on rank 32's
    variants, reading only its 24 columns of each row of B: the next part's columns, and NaN past the last adapter,
    must not reach y); y rounded after each part; -1 adapters, empty segments, h off the tiles; in a graph too. (Rank
    256 where rank 128 takes the batch runs rank_split's halves, which are then also its parts: (128, 128).)"""
    if loader.device(0).arch < 90:
        pytest.skip("the one-launch kernels need sm_90")
    padded, parts, launched = _run_padded(shape, rows, layout, dtype, rank, monkeypatch)
    if padded is not None:
        assert parts is None
        return
    if rows in (64, 256) and shape == (4096, 4096):
        assert parts is not None, "many one-row segments: in parts, not the pair"
    if parts is not None:
        assert sum(parts) == rank and len(launched) == len(parts)
        for part, kernel in zip(parts, launched):
            assert kernel.rank == part or (kernel.true_ranks and kernel.rank > part)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
@pytest.mark.parametrize("segments", [(1,), (1,) * 16, (256,), (3, 61, 17, 0, 128)],
                         ids=["one_row", "distinct16", "identical256", "mixed"])
@pytest.mark.parametrize("rank", [24, 40, 96])
@pytest.mark.parametrize("shape", [(4096, 4096), (1040, 1032)], ids=lambda s: "x".join(map(str, s)))
def test_ranks_off_the_grid_read_their_weights_within_bounds(shape, rank, segments, dtype):
    """Entry 333's bound on the fused kernel's loads of B (prefetch: pieces below the true rank only): weights of
    exactly the call's rank, each in an allocation of its own, with the last adapter in every batch (and -1 beside
    it), against the float64 reference. Run under compute-sanitizer memcheck with PYTORCH_NO_CUDA_MEMORY_CACHING=1, a
    load past the last adapter's B (the 16-byte pieces from the call's rank up to the kernel's) is an error there; the
    kernel before entry 333 made one (NOTES.md)."""
    if loader.device(0).arch < 90:
        pytest.skip("the one-launch kernels need sm_90")
    h_in, h_out = shape
    n_lora = 3
    gen = torch.Generator().manual_seed(zlib.crc32(f"{shape}{rank}{segments}".encode()))
    lora_a, lora_b = random_weights(n_lora, rank, h_in, h_out, dtype, gen)
    rows = sum(segments)
    loras = [n_lora - 1 if i % 2 == 0 else (-1 if i % 4 == 1 else i % n_lora) for i in range(len(segments))]
    indptr = [0] + list(itertools.accumulate(segments))
    batch = sgmv.LoraBatch.from_segments(torch.tensor(indptr), torch.tensor(loras)).to(DEV)  # host-known lengths
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    problem = Problem.for_add_lora(y0, x, lora_a, lora_b, batch.num_segments, batch.max_segment_rows)
    padded = cuda_ops._installed_padded_one_launch(problem, 0)
    if rows <= 16:
        assert padded is not None and padded[1].op == "fused", "a small decode batch runs the fused kernel"
    y = y0.clone()
    sgmv.add_lora(y, x, lora_a, lora_b, batch, scale=0.5)
    want = reference.add_lora_delta(x, lora_a, lora_b, batch, 0.5, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))


def test_a_padded_call_reads_its_table_of_ranks_early_only_once_an_earlier_call_made_it():
    """cuda_ops._rank_table (entry 334): the first call on a stream (or in a graph's capture) makes the table, whose
    fill may still run when the launch starts, so that launch waits before reading it; later calls get the same table
    and may read it early (Rows.ranks_ready, as the batch tables). The graph's first call makes its own."""
    if loader.device(0).arch < 90:
        pytest.skip("the one-launch kernels need sm_90")
    x = torch.zeros(1, 8, device=DEV)
    key = (12345, 7)  # a table no other test asks for
    first, made_before = cuda_ops._rank_table(x, *key)
    again, ready = cuda_ops._rank_table(x, *key)
    assert not made_before and ready and again is first
    assert torch.equal(first.cpu(), torch.full((7,), 12345, dtype=torch.int32))
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph, stream=stream):
        captured, ready_in_capture = cuda_ops._rank_table(x, *key)
        _, ready_after = cuda_ops._rank_table(x, *key)
    assert captured is not first and not ready_in_capture and ready_after


def _run_padded(shape, rows, layout, dtype, rank, monkeypatch):
    """add_lora at `rank` on a Case whose adapters are followed by NaN, checked against the float64 reference (and in a
    graph for the distinct layouts; y rounded once a launch where it runs in parts of the rank): (cuda_ops'
    padded_one_launch choice, its rank_parts choice, the one-launch kernels its first call launched)."""
    cuda_ops.clear_selections()  # none made under another test's constants (the clear_selections fixture: after)
    h_in, h_out = shape
    case = Case(rows=rows, h_in=h_in, h_out=h_out, rank=rank, n_lora=6, dtype=dtype, layout=layout, device=DEV,
                seed=rows + h_in + rank)
    n = case.lora_a.shape[0]
    a = torch.cat([case.lora_a, torch.full_like(case.lora_a[:1], float("nan"))])[:n]  # NaN after the last adapter
    b = torch.cat([case.lora_b, torch.full_like(case.lora_b[:1], float("nan"))])[:n]
    problem = Problem.for_add_lora(case.y, case.x, a, b, case.batch.num_segments, case.batch.max_segment_rows)
    padded = cuda_ops._installed_padded_one_launch(problem, 0)
    parts = cuda_ops._installed_rank_parts(problem, 0) if padded is None else None
    roundings = len(parts) if parts else 1
    launched = []
    real = cuda_ops._launch_fused
    monkeypatch.setattr(cuda_ops, "_launch_fused", lambda kernel, *args: (launched.append(kernel),
                                                                         real(kernel, *args)))
    poison_allocator(DEV)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, a, b, case.batch, scale=0.5)
    first_call = list(launched)  # the graph's capture below launches again
    want = reference.add_lora_delta(case.x, case.lora_a, case.lora_b, case.batch, 0.5, compute_dtype=torch.float64)
    untouched = ~covered_rows(case.batch, case.rows, 6).to(DEV)
    check_delta(y, case.y, want, dtype, untouched, roundings)
    if layout == "distinct":
        y = case.y.clone()
        for _ in graph_replays(case, y):
            check_delta(y, case.y, want, dtype, untouched, roundings)
    return padded, parts, first_call
