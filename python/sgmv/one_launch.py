"""Which kernel runs add_lora in one launch (one_launch_kernel): the gemv kernel (prefers_gemv), the fused kernel
(dispatch.prefers_fused), the prefill kernel (prefers_prefill: its tiles for long segments, many short ones and the
batches between), or the fused kernel with more column tiles a block in place of the launch pair
(handoff_over_pair); else two half-rank one-launch add_loras (rank_split), the kernels of a higher rank with every
adapter given the call's (one_launch_padded.padded_one_launch) or one launch a part of the rank
(one_launch_padded.rank_parts), else the launch pair (dispatch.select): one_launch_padded.one_launch_plan keeps that
order. Split from dispatch.py, whose Problem and can_run these rules build on.

Pure functions of host-known shapes, unit-tested without a GPU. Their constants are read at each call, so tools
(benchmarks/dispatch_sweep.py) and tests may set them here.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable, Iterable, Optional

from .dispatch import HANDOFF_WIDE_RANK_ABOVE, Problem, can_run, prefers_fused, prefers_handoff
from .manifest import ClusterCounts, KernelRecord
from .one_launch_gemv import gemv_over_prefill, prefers_gemv

ONE_LAUNCH_OPS = ("fused", "prefill", "gemv")  # the kernels one_launch_kernel and its callers choose among
# A rank: the rank of the prefill kernels that run its prefill batches (one_launch_padded); its own prefill kernels
# run only the batches that gives them (prefers_prefill)
PADDED_PREFILL_RANKS = {8: 16}

# add_lora in one launch by streaming (prefill.cuh): persistent blocks, one an SM (two in the r16 16-row tile's second
# build, below), stream row tiles of x and then y through shared memory. From benchmarks/dispatch_sweep.py (NOTES.md,
# entry 31): against the launch pair, 64-row tiles took 8192 rows in 8 segments at h4096 from 94.6 to 78.2 us at rank 64
# and from 71.6 to 67.3 at rank 16, where the batch has a tile for about every SM; with half the SMs (4096 rows, 64-row
# tiles) they lost (r64 74.1 vs 62.7 us) and 32-row tiles only tied (r16 43.6-44.7 vs 43.3). A cluster of two blocks
# shares each tile (each streams half of h_in and of h_out; entry 32), so such a batch keeps every SM busy again. The
# kernel takes batches whose tiles of its tallest fitting tile, times the blocks sharing each, keep
# PREFILL_MIN_SM_PERCENT of the SMs busy, of at least PREFILL_MIN_ROWS rows and PREFILL_MIN_MEAN_ROWS rows a
# segment.
PREFILL_MIN_ROWS = 1024
PREFILL_MIN_MEAN_ROWS = 32
PREFILL_MIN_SM_PERCENT = 90
PREFILL_MAX_CLUSTER = 2  # prefill.cuh's kMaxCluster: blocks of a cluster sharing every tile (8 lost: entry 36)
PREFILL_TALL_MAX_CLUSTER = 8  # the same for the 64-row tile (prefill_tall_sizes': 4 and 8)
# The 64-row tile's kernel swaps v among up to 8 blocks (prefill.cuh's kMaxCluster for it). Clusters of 4 run it at
# ranks from PREFILL_QUAD_MIN_RANK with adapters (A and B) of at least PREFILL_QUAD_MIN_ADAPTER_ELEMENTS, on batches
# whose segments fill a tile (PREFILL_QUAD_MIN_MEAN_ROWS on average), where all its row tiles (prefill_tiles_bound)
# fit one wave of them: no more than the GPU holds at once (the driver's count, resident_clusters: 30 on the H200, not
# 132 / 4, as its GPCs' SMs do not divide by 4). A second wave lost 1.13-1.58x to clusters of 2 or the 16-row tile at
# 31-64 tiles (NOTES.md, entries 319, 322 and 324). In one wave (entry 324: 16-30 tiles, 960-1920 rows in 1-30
# segments, at 2048, 4096, 8192, 4096 -> 14336, 14336 -> 4096, 18944 -> 3584, 3584 -> 18944 and 5120 -> 13824, bf16,
# and fp16 at rank 64) they took rank 128's batches to 0.57-0.94x clusters of 2 and 0.71-0.82x rank_split's halves,
# rank 64's to 0.61-0.99x clusters of 2 and 0.60-0.73x its 16-row tile, rank 32's to 0.72-1.06x its 16-row tile
# (median 0.95), and 1000 rows in 10 segments of 100, which had no one-launch kernel, to 0.31-0.86x the launch pair.
# Rank 16 gained nothing on balance (0.89-1.06x, median 1.00), nor rank 32 at 2048 (131072 elements of adapter:
# 1.05-1.23x), where the adapter is a small part of a tile's bytes. A tile in clusters of 4 took 0.64-0.90x its time in
# clusters of 2, not half, so the models count it at PREFILL_QUAD_TILE_TIME_PERCENT of that (_tile_share): so
# counted they keep rank 64's 16-row tile in clusters of 2 over 48-64 tiles (the 64-row tile in clusters of 4 there:
# 1.02-1.12x).
PREFILL_QUAD = 1  # 0: never (dispatch_sweep's switch)
PREFILL_QUAD_MIN_RANK = 32
PREFILL_QUAD_MIN_ADAPTER_ELEMENTS = 1 << 18
PREFILL_QUAD_MIN_MEAN_ROWS = 64
PREFILL_QUAD_TILE_TIME_PERCENT = 75
# Clusters of 8 (three rounds of swaps) under clusters of 4's conditions, where the tile bound fits one wave of them
# (15 on the H200, not 132 / 8) and each block streams PREFILL_OCTET_MIN_CHUNKS of h_in's and h_out's chunks or more;
# below PREFILL_OCTET_TAKES_MIN_RANK only for batches the rules give the 64-row tile anyway (prefers_prefill's
# `largest`). Rank 128 against clusters of 4: 0.64-0.84x from 8 chunks a block, 0.80-0.98x at 5-7.5, 0.98-1.14x at 4;
# against rank_split's halves 0.48-0.76x. Ranks 32-64 taken from the fused kernel's 32-row tile: 1.07-1.18x (NOTES.md,
# entries 327 and 332). PREFILL_OCTET_TILE_TIME_PERCENT: a tile's time in clusters of 8 against 4 (_tile_share).
PREFILL_OCTET = 1  # 0: never (dispatch_sweep's switch)
PREFILL_OCTET_MIN_CHUNKS = 5
PREFILL_OCTET_TAKES_MIN_RANK = 128
PREFILL_OCTET_TILE_TIME_PERCENT = 75
PREFILL_TWO_BLOCK_TIES_LARGER = 1  # the launch of a kernel of two blocks an SM takes the larger cluster on a tie
# of one-row segments that fill its places (prefill_cluster's `launched`; 0: the smaller, as the others)
PREFILL_ONE_ROW_TWO_BLOCK_PAIRS = 1  # one-row batches of more than num_sms // 2 and at most num_sms tiles: that
# kernel, in clusters of 2 (_one_row_pairs; 0: the one-block kernel in blocks of one, as before entry 299)


# Its 16-row tile streams batches of many short segments (distinct decode batches: every row its own adapter),
# where the tiles keep PREFILL_MIN_SM_PERCENT of the SMs busy, at most PREFILL_SHORT_MAX_MEAN_ROWS rows a segment.
# From dispatch_sweep (NOTES.md, entries 35, 38 and 45; measured at one row a segment): r64 distinct bs64 and bs256
# 0.87-0.94x the pair's time, r16 0.88-0.95x. Its stages are PREFILL_SHORT_CHUNK columns wide where the build has
# both widths and they fit as many stages in the budget: with 8 consumer warps (entry 45) 256 columns took distinct
# bs64 to 0.92-0.99x the time of 128 at r16 and r32, and 0.98-1.01x at r64 (before, 128 columns won where the tiles fit
# one wave, entry 38). Where the narrower stages fit more (rank 64: 6 of 128 columns against 3 of 256, codegen's
# prefill_stages), that tile: distinct bs64 at r64 0.950-0.966x (entries 219-221).
# Where codegen compiles the 16-row tile for two blocks an SM too (PREFILL_TWO_BLOCK_TILES: rank 16), batches of more
# blocks than SMs take that kernel, whose tiles then all run at once (r16 distinct bs256 0.94-1.02x, median 0.975), and
# the others the one-block kernel: offered two places an SM, the block scheduler put two blocks of a one-wave batch on
# some SMs while others idled (distinct bs64 1.07-1.17x; held to one an SM by shared memory, still 1.04-1.07x; entry
# 121).
# Batches of 3-31 rows a segment take the 16-row tile too, where its estimated blocks keep
# PREFILL_FEW_ROWS_MIN_SM_PERCENT of the SMs busy; a segment longer than a tile is several of its tiles (each reads its
# adapter again, from L2 after the first). The full sweep's skewed bs256 cases (38-51 segments, one of ~100 rows,
# estimated at 58-77% of the SMs) 0.59-0.89x the pair's time (rank 128 through the rank split; entry 139), batches of
# 3-8 rows in every segment (40-128 segments, each its own adapter) 0.59-0.91x, median 0.75 (entry 140), and both
# kinds with lengths the host does not know (a batch built from device tensors) 0.60-0.89x, median 0.74: the tile's
# time does not depend on the host knowing them (entry 141); batches of 10-31 rows in every segment (33-96
# segments) 0.56-1.02x, median 0.77, the one loss 40 x 24 rows at 14336 -> 4096 r64 (entry 142), so the limit is
# where the 64-row tile's batches start (PREFILL_MIN_MEAN_ROWS). Batches of 13-20 segments (skewed bs64, uniform
# bs256, distinct bs16 at 4096 -> 14336; at most 30% of the SMs) were 1.03-1.9x slower.
# A rank whose build has no 16-row tile (rank 128: the 64-row tile only) runs batches of PREFILL_SHORT_ROWS + 1 to
# PREFILL_FEW_ROWS_MAX_MEAN rows a segment on that tile where its blocks keep PREFILL_FEW_ROWS_MIN_SM_PERCENT of the SMs
# busy, unless rank_split's halves stream fewer bytes an SM (_halves_short_tile_stream_less), else as the halves. From
# dispatch_sweep (NOTES.md, entry 227: 40-264 segments of 17-31 rows, the four sweep shapes) 0.74-0.86x the halves'
# time on the 16-row tile; 24 segments of 17 rows (48 blocks, 36% of the SMs) 0.94-1.18x, so they keep the halves.
# Batches of one-row segments (at most PREFILL_SHORT_MAX_MEAN_ROWS on average) too many for clusters of 2 one block an
# SM but few enough for blocks of one in one wave (67-132 segments on the H200) run on the tile's kernel of two blocks
# an SM in clusters of 2 where the build has it (ranks 8 and 16; PREFILL_ONE_ROW_TWO_BLOCK_PAIRS, prefill_cluster's
# tie): 134-264 blocks, each streaming half an adapter. From entries 296 and 299's sweeps (67-132 segments of one row
# and 110 of two, six shapes, ranks 8 and 16, bf16 and fp16, medians of 2) against what ran before (the fused
# kernel's grid handoff, the launch pair at rank 8, the one-block tile in blocks of one from 99 segments): r16
# 0.63-0.99x (h8192 x 98 28.3 -> 19.7 us) but h2048 x 132 1.04-1.06x (9.3 -> 9.8), r8 0.31-0.94x, median 0.86.
# Elsewhere (ranks 32 and 64; a GPU that holds one such block an SM) the one-block tile runs them in blocks of one.
# One-row batches take the tile where its blocks fill PREFILL_ONE_ROW_MIN_SM_PERCENT of the SMs, not
# PREFILL_MIN_SM_PERCENT: in blocks of one, against the fused kernel's grid handoff (or the pair at 4096 -> 14336),
# 90-118 segments (68-89%) 0.55-0.97x (entries 294 and 299, r16-r64; h8192 r16 x 100 28.2 -> 22.7 us), 80 (61%)
# 0.95-1.03x, 67 (51%) 0.98-1.12x; in clusters of 2, against the grid handoff (ranks 32 and 64) or the launch pair
# (rank 8), 48 and 59 segments (73% and 89%) 0.44-1.00x, median 0.92 (entry 300; h18944 -> 3584 r8 x 48 31.5 -> 14.3
# us), 40 (61%) 0.68-1.09x (median 1.0), 30 (45%) 1.0-1.33x; 43-59 segments (and 50 of two rows) at rank 16 where
# the gemv kernel expands in two rounds or more (8192, 4096 -> 14336, 3584 -> 18944, 5120 -> 13824) 0.74-0.97x
# against it, and at rank 128 (rank 64's halves on the tile) 0.93-0.97x but h4096 1.03-1.09x.
PREFILL_SHORT_ROWS = 16
PREFILL_SHORT_MAX_MEAN_ROWS = 2
PREFILL_ONE_ROW_MIN_SM_PERCENT = 65
PREFILL_SHORT_CHUNK = 256
PREFILL_FEW_ROWS_MAX_MEAN = 31
PREFILL_FEW_ROWS_MIN_SM_PERCENT = 50
# Batches of longer segments whose 64-row tiles the rule above does not take (fewer than PREFILL_MIN_ROWS rows, or
# tiles for less than PREFILL_MIN_SM_PERCENT of the SMs: e.g. 256-3700 rows in 2-52 segments) take whichever of the
# 64-row tile (where its blocks keep PREFILL_MID_TALL_MIN_SM_PERCENT of the SMs busy) and the 16-row tile (half of them)
# streams fewer bytes an SM (prefill_bytes_per_sm): the 16-row tile reads each adapter again for every 16 rows but
# spreads them over more SMs. Against the launch pair (NOTES.md, entry 143: 2-32 segments of 32-1024 rows, r16 and
# r64, four shapes) the 16-row tile took 0.60-1.07x its time, the 64-row tile 0.54-1.09x, and the model named the
# faster of the two in all 64 cases a dtype (best 0.54-0.95x, median 0.69): the 16-row tile at rank 16 and at 32-64
# rows a segment, the 64-row tile at rank 64 from 40 rows a segment on; the least share measured where the 64-row
# tile won was 36% (24 segments of 40 rows: 48 blocks). On batches it was not fitted to (entry 144) the 16-row tile
# lost where its tiles took two waves: ten segments of 100 rows (70 tiles in clusters of two) at r32-r64, 1.01-1.12x
# the pair; so here it is offered only where they fit PREFILL_MID_SHORT_MAX_WAVES, but for one more wave at ranks up to
# PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK (0: none; entry 149, 10 batches of 4-26 segments at four shapes): there the
# two-wave tile took r16 batches 0.83-0.94x the pair's time, and r8 and r16 batches 0.69-0.95x the 64-row tile's (its
# two-block build on batches of more than 132 blocks); rank 8 (rank 16's kernel) against its own pair, which moves half
# the adapter bytes, was even (0.93-1.05x), and two rank-16 halves of a rank-32 batch (rank_split) 1.6-1.9x the pair,
# so in place of the pair (no 64-row tile offered) the second wave is for a call at the rank itself only
# (prefers_prefill's second_wave_over_pair). At rank 32 (entry 151) the second wave took 0.68-0.83x the 64-row tile's
# time where the 16-row tiles fill the SMs without clusters (204-238 tiles: 3264-3696 rows in 14-48 segments), but
# 0.97-1.09x where they are two waves of clusters of two (24-28 segments of 36-42 rows), so up to
# PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK the second wave is offered against the 64-row tile where the 16-row tile's
# launch has no clusters. At rank 64 the bytes model keeps the 64-row tile there, and the 16-row tile was even
# (0.86-1.05x, median 0.98; entry 152).
PREFILL_MID_TALL_MIN_SM_PERCENT = 36
PREFILL_MID_SHORT_MAX_WAVES = 1
PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK = 16
PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK = 32


# Where the host knows the longest segment and the segments average at most PREFILL_FEW_ROWS_MAX_MEAN rows (two 16-row
# tiles or fewer), the 16-row tile's row tiles are estimated as the longest segment's and the others' at their mean
# length (at most prefill_tiles_bound): T / 16 counts 40 segments of 24 rows as 60 tiles where the launch runs 80, up
# to half too few. That estimate sets the blocks that PREFILL_FEW_ROWS_MIN_SM_PERCENT compares and the cluster, and a
# cluster is formed only where the fewest tiles (T / 16) call for one too: the model's waves (num_sms // cluster) leave
# out the cluster's own cost. From dispatch_sweep (NOTES.md, entries 229-231; uniform batches at the four sweep shapes,
# r16-r64, 17-28 rows a segment): clusters of two to single blocks 0.77-0.95x (40-300 segments; two blocks an SM at
# r16, 0.95-1.02x), 20-24 segments moved from the grid handoff to the 16-row tile 0.76-0.95x at r16-r32 and 0.84-1.04x
# at r64, one block an SM to two at r16 (80-96 segments) 0.93-1.00x. Longer segments keep T / 16: counted there, 12
# segments of 33-40 rows at r64 moved to the 16-row tile at 0.90-1.20x; and the count without the cluster's rule
# formed clusters of two for 96-200 segments at 0.96-1.11x (entry 230).
def _fewest_row_tiles(problem: Problem, kernel: KernelRecord) -> int:
    """The fewest row tiles of the prefill `kernel` the batch may have: T / tile rows, and at least one a segment."""
    return max(1, math.ceil(problem.num_rows / kernel.warp_rows), min(problem.num_segments, problem.num_rows))


def prefill_row_tiles(problem: Problem, kernel: KernelRecord) -> int:
    """An estimate of the batch's row tiles of the prefill `kernel`: for the 16-row tile on segments of known
    longest averaging at most PREFILL_FEW_ROWS_MAX_MEAN rows, the tiles of the longest and of the others at their
    mean length (at most prefill_tiles_bound, and a tile a row: where empty segments pull the others' mean under a
    row, as many tiles as rows; the note above), else the fewest."""
    fewest = _fewest_row_tiles(problem, kernel)
    longest, others = problem.max_segment_rows, problem.num_segments - 1
    if (kernel.warp_rows != PREFILL_SHORT_ROWS or longest < 0 or others < 0
            or problem.num_rows > PREFILL_FEW_ROWS_MAX_MEAN * problem.num_segments):
        return fewest
    rows = kernel.warp_rows
    of_others = others * math.ceil((problem.num_rows - longest) / (others * rows)) if others else 0
    of_mean_length = math.ceil(longest / rows) + of_others
    return max(fewest, min(of_mean_length, prefill_tiles_bound(problem, kernel), problem.num_rows))


def prefill_cluster(problem: Problem, kernel: KernelRecord, num_sms: int, launched: bool = False,
                    resident_clusters: Optional[ClusterCounts] = None,
                    largest: int = PREFILL_TALL_MAX_CLUSTER) -> int:
    """Blocks sharing each row tile of the prefill kernel (a thread-block cluster; one block an SM): of 1, 2 and,
    where prefill_tall_sizes allow, 4 and 8, the size that ends the batch's tiles in the fewest tile-times, each block
    streaming 1 / _tile_share of a tile (clusters as prefill_clusters_held counts them), for both the estimated and the
    fewest row tiles (the smaller of the two sizes); ties go to the smaller size (fewer swaps of v). launched: the
    size the launch takes. It differs on a tie for a kernel built for two blocks an SM, on segments of one row (at most
    PREFILL_SHORT_MAX_MEAN_ROWS on average) whose tiles fill PREFILL_MIN_SM_PERCENT of its places, or are too many
    for clusters of 2 one block an SM and no more than SMs (_one_row_pairs): the larger, so that its blocks share
    each adapter's bytes. 256 and 528 one-row segments (r16, every sweep shape) took 0.960-0.988x the time, 200 took
    1.02-1.03x, and batches of 3-20 rows a segment went both ways (0.96-1.05x); the one-block kernels' ties ran
    0.95-1.08x by shape and rank (NOTES.md, entry 248); 67-132 one-row segments: the note above PREFILL_SHORT_ROWS.
    The dispatch rules' models count at the smaller size (the same tile-times on a tie), but for _one_row_pairs'
    batches, which _short_tile counts as launched. resident_clusters(kernel, cluster): the driver's count of clusters
    the GPU holds at once, where known. largest: the largest size to consider."""
    tiles = prefill_row_tiles(problem, kernel)
    larger_on_ties = (launched and kernel.blocks_per_sm > 1 and _one_row(problem)
                      and ((PREFILL_TWO_BLOCK_TIES_LARGER
                            and 100 * tiles >= PREFILL_MIN_SM_PERCENT * kernel.blocks_per_sm * num_sms)
                           or _one_row_pairs(problem, tiles, num_sms)))
    sizes = tuple(c for c in prefill_tall_sizes(problem, kernel, num_sms, resident_clusters) if c <= largest)
    held = {c: prefill_clusters_held(kernel, c, num_sms, resident_clusters) for c in sizes}

    def size_for(count: int) -> int:
        return min(sizes, key=lambda c: (math.ceil(count / held[c]) / _tile_share(c), -c if larger_on_ties else c))
    return min(size_for(tiles), size_for(_fewest_row_tiles(problem, kernel)))


def prefill_max_cluster(kernel: KernelRecord) -> int:
    """The most blocks of a cluster that share each row tile of the prefill `kernel` (prefill.cuh's kMaxCluster)."""
    return PREFILL_TALL_MAX_CLUSTER if kernel.warp_rows > PREFILL_SHORT_ROWS else PREFILL_MAX_CLUSTER


def prefill_tall_sizes(problem: Problem, kernel: KernelRecord, num_sms: int,
                       resident_clusters: Optional[ClusterCounts] = None) -> tuple[int, ...]:
    """The cluster sizes (powers of 2: v's sum is pairwise swaps) the prefill `kernel` may run `problem` in: 1, 2, and 4
    and 8 where all its tiles fit one wave of them (the notes above PREFILL_QUAD_MIN_RANK and PREFILL_OCTET)."""
    tall = (prefill_max_cluster(kernel) >= 4 and kernel.rank >= PREFILL_QUAD_MIN_RANK
            and _adapter_and_row_elements(problem)[0] >= PREFILL_QUAD_MIN_ADAPTER_ELEMENTS
            and problem.num_rows >= PREFILL_QUAD_MIN_MEAN_ROWS * max(1, problem.num_segments))
    bound = prefill_tiles_bound(problem, kernel) if tall else 0
    chunks = -(-problem.hidden // kernel.tile_n) + sum(-(-h // kernel.tile_n) for h in problem.slice_hidden)
    octet = PREFILL_OCTET and chunks // 8 >= PREFILL_OCTET_MIN_CHUNKS  # a block's share of the stream
    return (1, 2) + tuple(c for c, on in ((4, PREFILL_QUAD), (8, octet))
                          if tall and on and c <= prefill_max_cluster(kernel)
                          and bound <= prefill_clusters_held(kernel, c, num_sms, resident_clusters))


def prefill_clusters_held(kernel: KernelRecord, cluster: int, num_sms: int,
                          resident_clusters: Optional[ClusterCounts], blocks_per_sm: int = 1) -> int:
    """Clusters of `cluster` blocks of the prefill `kernel` one wave holds: blocks_per_sm * num_sms // cluster (the
    dispatch rules count a block an SM; the launch, the driver's occupancy), at most the driver's count where known
    (resident_clusters)."""
    held = max(1, blocks_per_sm * num_sms // cluster)
    if resident_clusters is not None and cluster > 1:
        held = max(1, min(held, resident_clusters(kernel, cluster)))
    return held


def _tile_share(cluster: int) -> float:
    """The blocks a tile's time divides among in clusters of `cluster`: the size, but clusters of 4 and 8 as
    measured (PREFILL_QUAD_TILE_TIME_PERCENT of clusters of 2's time, PREFILL_OCTET_TILE_TIME_PERCENT of 4's)."""
    if cluster < 4:
        return cluster
    quad = 2 * 100 / PREFILL_QUAD_TILE_TIME_PERCENT
    return quad if cluster == 4 else quad * 100 / PREFILL_OCTET_TILE_TIME_PERCENT


def _one_row(problem: Problem) -> bool:
    """Whether `problem`'s segments are one row (at most PREFILL_SHORT_MAX_MEAN_ROWS on average)."""
    return problem.num_rows <= PREFILL_SHORT_MAX_MEAN_ROWS * problem.num_segments


def _one_row_pairs(problem: Problem, tiles: int, num_sms: int) -> bool:
    """Whether the 16-row tile runs one-row `problem` of `tiles` row tiles on its kernel of two blocks an SM in
    clusters of 2 (PREFILL_ONE_ROW_TWO_BLOCK_PAIRS; the note above PREFILL_SHORT_ROWS): too many tiles for clusters
    of 2 one block an SM, few enough for blocks of one in one wave, the tie prefill_cluster's count leaves."""
    return (bool(PREFILL_ONE_ROW_TWO_BLOCK_PAIRS) and _one_row(problem)
            and num_sms // PREFILL_MAX_CLUSTER < tiles <= num_sms)


def prefill_tiles_bound(problem: Problem, kernel: KernelRecord) -> int:
    """At most how many row tiles of the prefill `kernel` the batch has: a tile a segment per `warp_rows` of its
    longest, or its rows in tiles with every segment's last part-filled (no lengths read on the device)."""
    rows = kernel.warp_rows
    per_longest = problem.num_segments * math.ceil(problem.longest_segment_bound / rows)
    return max(1, min(per_longest, (problem.num_rows + problem.num_segments * (rows - 1)) // rows))


def _adapter_and_row_elements(problem: Problem) -> tuple[int, int]:
    """Elements of one adapter (A and B) and of one row (x read, y read and written) of add_lora `problem`."""
    h_out = sum(problem.slice_hidden)
    return (problem.hidden + h_out) * problem.rank, problem.hidden + 2 * h_out


def prefill_bytes_per_sm(problem: Problem, kernel: KernelRecord, num_sms: int,
                         resident_clusters: Optional[ClusterCounts] = None) -> float:
    """A model of the prefill `kernel`'s time on a batch (PREFILL_MID_TALL_MIN_SM_PERCENT's note): the elements an
    SM streams, its waves of row tiles (prefill_tiles_bound, clusters as launched) times a block's share of a tile's
    adapter (A and B, read again by each tile, from L2 after the first) and rows (_tile_share)."""
    adapter, row = _adapter_and_row_elements(problem)
    cluster = prefill_cluster(problem, kernel, num_sms, resident_clusters=resident_clusters)
    return (prefill_waves(problem, kernel, num_sms, resident_clusters) * (adapter + kernel.warp_rows * row)
            / _tile_share(cluster))


def prefill_waves(problem: Problem, kernel: KernelRecord, num_sms: int,
                  resident_clusters: Optional[ClusterCounts] = None) -> int:
    """The waves of the prefill `kernel`'s row tiles (at most prefill_tiles_bound) in clusters as launched."""
    cluster = prefill_cluster(problem, kernel, num_sms, resident_clusters=resident_clusters)
    held = prefill_clusters_held(kernel, cluster, num_sms, resident_clusters)
    return math.ceil(prefill_tiles_bound(problem, kernel) / held)


def _short_tile(problem: Problem, fitting: list[KernelRecord], num_sms: int,
                resident_blocks: Optional[Callable[[KernelRecord], int]],
                resident_clusters: Optional[ClusterCounts]) -> Optional[tuple[KernelRecord, int]]:
    """The 16-row tile's kernel for `problem` and its estimated blocks: the stage width of more stages where a build
    has both, else the measured one (PREFILL_SHORT_CHUNK; ties: the first compiled); two blocks an SM where the batch
    has more blocks than SMs or is one of _one_row_pairs' (its blocks as launched), else one (PREFILL_SHORT_ROWS'
    note)."""
    short = [k for k in fitting if k.warp_rows == PREFILL_SHORT_ROWS]
    if not short:
        return None
    tiles = prefill_row_tiles(problem, short[0])
    pairs = _one_row_pairs(problem, tiles, num_sms)
    wanted = 2 if pairs or tiles * prefill_cluster(problem, short[0], num_sms,
                                                   resident_clusters=resident_clusters) > num_sms else 1
    held = lambda k: resident_blocks is None or resident_blocks(k) >= k.blocks_per_sm  # noqa: E731
    kernel = max(short, key=lambda k: (k.stages, k.tile_n == PREFILL_SHORT_CHUNK,
                                       k.blocks_per_sm == wanted and held(k), -k.blocks_per_sm))
    return kernel, tiles * prefill_cluster(problem, kernel, num_sms, launched=pairs,
                                           resident_clusters=resident_clusters)


def _tall_tile(problem: Problem, fitting: list[KernelRecord], num_sms: int,
               resident_clusters: Optional[ClusterCounts],
               largest: int = PREFILL_TALL_MAX_CLUSTER) -> Optional[tuple[KernelRecord, int]]:
    """The tallest fitting tile's kernel for `problem` and its estimated blocks, in clusters of at most `largest`."""
    tall = [k for k in fitting if k.warp_rows > PREFILL_SHORT_ROWS]
    if not tall:
        return None
    kernel = max(tall, key=lambda k: k.warp_rows)
    return kernel, prefill_row_tiles(problem, kernel) * prefill_cluster(problem, kernel, num_sms,
                                                                        resident_clusters=resident_clusters,
                                                                        largest=largest)


def prefers_prefill(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                    resident_blocks: Optional[Callable[[KernelRecord], int]] = None,
                    second_wave_over_pair: bool = True,
                    resident_clusters: Optional[ClusterCounts] = None) -> Optional[KernelRecord]:
    """The prefill kernel to run add_lora `problem` (op "prefill") in one launch, or None for the other paths:
    its tallest tile for long segments, its 16-row tile for many short ones (and batches of up to 31 rows a
    segment), the one of the two that streams fewer bytes an SM for the batches of longer segments between
    (PREFILL_MID_TALL_MIN_SM_PERCENT); the variant for true ranks exactly where the call gives them (without, it
    costs 1-4%: benchmarks/NOTES.md, entry 98). resident_blocks(kernel): the driver's occupancy where known; a
    kernel built for two blocks an SM is chosen only where the GPU holds two. second_wave_over_pair: whether the
    16-row tile may take a second wave (PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK; PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK's
    only beside the 64-row tile) where the 64-row tile is not offered, i.e. in place of the launch pair: a call at
    the rank itself, not a rank-split half nor a padded rank. The prefill kernels of a rank of PADDED_PREFILL_RANKS
    run only the batches one_launch_padded gives them. resident_clusters(kernel, cluster): the driver's count of
    clusters the GPU holds at once, where known (prefill_cluster's)."""
    kernels = list(kernels)
    fitting = [k for k in kernels if can_run(problem, k) and k.true_ranks == problem.true_ranks
               and k.rank not in PADDED_PREFILL_RANKS]
    mean_rows = problem.num_rows / max(1, problem.num_segments)
    busy = lambda chosen, percent: chosen is not None and 100 * chosen[1] >= percent * num_sms  # noqa: E731
    if mean_rows <= PREFILL_FEW_ROWS_MAX_MEAN:
        short = _short_tile(problem, fitting, num_sms, resident_blocks, resident_clusters)
        if short is None and mean_rows > PREFILL_SHORT_ROWS:  # no 16-row tile (rank 128; the note above
            # PREFILL_SHORT_ROWS): the tall tile where it fills enough SMs and the halves stream no less
            tall = _tall_tile(problem, fitting, num_sms, resident_clusters)
            if not busy(tall, PREFILL_FEW_ROWS_MIN_SM_PERCENT) or _halves_short_tile_stream_less(
                    problem, tall[0], fitting, kernels, num_sms, resident_blocks, resident_clusters):
                return None
            return tall[0]
        percent = PREFILL_ONE_ROW_MIN_SM_PERCENT if _one_row(problem) else PREFILL_FEW_ROWS_MIN_SM_PERCENT
        return short[0] if busy(short, percent) else None
    tall = _tall_tile(problem, fitting, num_sms, resident_clusters)
    if (problem.num_rows >= PREFILL_MIN_ROWS and mean_rows >= PREFILL_MIN_MEAN_ROWS
            and busy(tall, PREFILL_MIN_SM_PERCENT)):
        return tall[0]
    short = _short_tile(problem, fitting, num_sms, resident_blocks, resident_clusters)
    # Below PREFILL_OCTET_TAKES_MIN_RANK clusters of 8 do not offer the tile where clusters of 4 would not
    offering = tall if problem.rank >= PREFILL_OCTET_TAKES_MIN_RANK else _tall_tile(problem, fitting, num_sms,
                                                                                   resident_clusters, largest=4)
    tall_offered = busy(tall, PREFILL_MID_TALL_MIN_SM_PERCENT) and busy(offering, PREFILL_MID_TALL_MIN_SM_PERCENT)
    unclustered = short is not None and prefill_cluster(problem, short[0], num_sms,
                                                        resident_clusters=resident_clusters) == 1
    second_wave = ((problem.rank <= PREFILL_MID_SHORT_TWO_WAVES_MAX_RANK and (tall_offered or second_wave_over_pair))
                   or (problem.rank <= PREFILL_MID_SHORT_FULL_WAVES_MAX_RANK and tall_offered and unclustered))
    waves_allowed = PREFILL_MID_SHORT_MAX_WAVES + second_wave
    if short is not None and prefill_waves(problem, short[0], num_sms, resident_clusters) > waves_allowed:
        short = None
    offers = [chosen[0] for chosen, offered in ((tall, tall_offered),
                                                (short, busy(short, PREFILL_FEW_ROWS_MIN_SM_PERCENT))) if offered]
    chosen = min(offers, key=lambda k: prefill_bytes_per_sm(problem, k, num_sms, resident_clusters), default=None)
    if chosen is not None and _halves_short_tile_stream_less(problem, chosen, fitting, kernels, num_sms,
                                                              resident_blocks, resident_clusters):
        return None
    return chosen


# A rank whose build has the 64-row tile only (codegen's PREFILL_TALL_ONLY_RANKS: 128) runs the batches between on
# it where rank_split's two half-rank launches would run the 16-row tile, unless those stream fewer bytes an SM, both
# launches together (prefill_bytes_per_sm): 24 segments of 32 rows at r128 took 1.15-1.21x the halves' time on rank
# 128's tile (4096 and 4096 -> 14336; 32 segments 1.02-1.03x), and the batches whose halves ran the 64-row tile
# 0.61-0.82x (NOTES.md, entry 199). The model puts those halves always above the one launch (twice the rows' bytes).
def _halves_short_tile_stream_less(problem: Problem, chosen: KernelRecord, fitting: list[KernelRecord],
                                   kernels: Iterable[KernelRecord], num_sms: int,
                                   resident_blocks: Optional[Callable[[KernelRecord], int]],
                                   resident_clusters: Optional[ClusterCounts]) -> bool:
    """Whether the prefill batch `problem`, whose rank has no 16-row tile among `fitting`, streams fewer bytes an SM as
    rank_split's two half-rank launches on the 16-row tile than in one on `chosen`. Never with true ranks: cuda_ops
    runs the halves only without them (else the launch pair)."""
    if not RANK_SPLIT or problem.true_ranks or any(k.warp_rows == PREFILL_SHORT_ROWS for k in fitting):
        return False
    half = _half_rank(problem)
    half_kernel = half and prefers_prefill(half, kernels, num_sms, resident_blocks, second_wave_over_pair=False,
                                           resident_clusters=resident_clusters)
    return (half_kernel is not None and half_kernel.warp_rows == PREFILL_SHORT_ROWS
            and 2 * prefill_bytes_per_sm(half, half_kernel, num_sms, resident_clusters)
            < prefill_bytes_per_sm(problem, chosen, num_sms, resident_clusters))


def one_launch_kernel(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                      resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1,
                      second_wave_over_pair: bool = True,
                      resident_clusters: Optional[ClusterCounts] = None) -> Optional[KernelRecord]:
    """The kernel that runs add_lora `problem` (op "fused", sm_90) in one launch: the gemv kernel for one-row segments
    (prefers_gemv) where the prefill kernel does not take them or gemv_over_prefill holds, the fused kernel for small
    batches, the prefill kernel for long segments, many short ones and mid-size batches (prefers_prefill), the fused
    kernel again with more column tiles a block (handoff_over_pair), or None for the shrink-expand pair.
    resident_blocks(kernel): blocks of it an SM holds at once (the driver's occupancy; the grid handoff's cap).
    second_wave_over_pair: prefers_prefill's (False for a rank-split half). resident_clusters(kernel, cluster):
    clusters the GPU holds at once (prefers_gemv's and prefers_prefill's)."""
    kernels = list(kernels)

    def streamed() -> Optional[KernelRecord]:
        return prefers_prefill(dataclasses.replace(problem, op="prefill"), kernels, num_sms, resident_blocks,
                               second_wave_over_pair, resident_clusters)

    gemv = prefers_gemv(dataclasses.replace(problem, op="gemv"), kernels, num_sms, resident_clusters)
    if gemv is not None:
        if gemv_over_prefill(problem, gemv):
            return gemv
        prefill = streamed()
        return gemv if prefill is None else prefers_fused(problem, kernels, num_sms, resident_blocks) or prefill
    return (prefers_fused(problem, kernels, num_sms, resident_blocks) or streamed()
            or handoff_over_pair(problem, kernels, num_sms, resident_blocks, resident_clusters))


# Where neither rule above takes a batch, the fused kernel's grid handoff with up to
# HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK column tiles a block (dispatch.HANDOFF_MAX_TILES_PER_BLOCK's 2 everywhere
# else) runs it in place of the launch pair: batches of 13-48 segments at a wide h_out (4096 -> 14336: 28 column tiles
# over 4-16 splits) and skewed ones at h8192. From dispatch_sweep over the full sweep's pair batches (NOTES.md, entry
# 157), both dtypes: ranks 16-128 (rank 128 as two rank-64 halves) 0.75-0.93x the pair's time at up to 4 tiles a
# block, one even (r16 distinct bs16, 1.01); 6 took 4096 -> 14336 skewed bs64 (5 tiles) at r32-r64 to 0.84-0.88x,
# r128's halves even (entry 159), and 27 uniform batches of other shapes (4096 -> 11008, 3584 -> 18944, 13824 -> 5120,
# 4096) 0.72-0.95x at ranks 16-128 (entry 162); 8 and 12 took 25 more at 3584 -> 18944, 4096 -> 14336 and
# 8192 -> 28672 0.76-0.92x, none slower (entry 163); 16 and 24, 36 more batches of 16-480 rows at 3584 -> 18944 and
# 8192 -> 28672, 0.60-0.99x, one even (1.005; entry 168; over those batches nothing needs more), and 31 of 33 at
# 4096 -> 11008, 4096 -> 14336 and 5120 -> 13824 0.79-0.99x, rank 16 over 80-96 one-row segments 1.02-1.07x (entry
# 171); at rank 8 0.89x over 16 rows a segment (uniform and identical bs256) but 1.11-1.13x over 1-4 (distinct bs16,
# skewed bs64), hence below HANDOFF_OVER_PAIR_MIN_RANK only batches of at least HANDOFF_OVER_PAIR_MIN_MEAN_ROWS rows a
# segment. Offered ahead of the prefill kernel instead, 4 tiles a block lost to it by 1.04-1.31x (distinct bs64,
# skewed bs256), so it comes after. Only for decode-sized batches, of at most HANDOFF_OVER_PAIR_MAX_ROWS rows: 257-512
# rows (8-32 segments of 10-48, ranks 8-64) took 0.63-0.98x the pair's time, median 0.84, at 4096, 8192, 4096 -> 14336
# and 3584 -> 18944 (entry 165); at rank 64 the handoff's buffer of v holds no more, and at rank 8 576-2048 rows lost
# to the prefill kernel's 16-row tile by 1.01-1.27x (entry 169; ranks 16-32 changed no kernel there).
# Above dispatch.HANDOFF_WIDE_RANK_ABOVE (rank 128's own kernel, 128 columns a tile) the limit is
# HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK in place of rank_split's halves on the fused kernel: 5-7 tiles a
# block took 4096 -> 14336 identical bs256 23.0 -> 19.7 us, uniform bs256 and distinct bs16 0.85-0.88x, h8192 skewed
# bs64 0.82-0.85x (entry 159), 9-12 tiles 4096 -> 14336 skewed bs64 and three batches at 4096 -> 11008 0.82-0.93x
# (entry 163). In place of halves on the prefill kernel, HANDOFF_OVER_PREFILL_HALVES_MAX_TILES_PER_BLOCK: up to 8
# 0.84-0.96x (h4096 skewed bs256, 38 segments of 3 rows at 13824 -> 5120 and 4096), 12 tiles 1.15x (14336 -> 4096
# skewed bs256, entry 163); and none where the halves take the prefill kernel's path for segments of at most
# PREFILL_SHORT_MAX_MEAN_ROWS rows (distinct bs64 at h4096 and 14336 -> 4096: 1.03-1.04x at 8 tiles, entry 159).
HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK = 24  # 0: never
HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK = 12  # 0: the halves (or the pair) as below the wide rank
HANDOFF_OVER_PREFILL_HALVES_MAX_TILES_PER_BLOCK = 8
HANDOFF_OVER_PAIR_MIN_RANK = 16
HANDOFF_OVER_PAIR_MIN_MEAN_ROWS = 16
HANDOFF_OVER_PAIR_MAX_ROWS = 512


def handoff_over_pair(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                      resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1,
                      resident_clusters: Optional[ClusterCounts] = None) -> Optional[KernelRecord]:
    """The fused kernel to run add_lora `problem` (op "fused") with the grid handoff's wider column-tile limit, where
    the batch's rows, and its rank or rows a segment, allow it, or None."""
    if problem.num_rows > HANDOFF_OVER_PAIR_MAX_ROWS or (
            problem.rank < HANDOFF_OVER_PAIR_MIN_RANK
            and problem.num_rows < HANDOFF_OVER_PAIR_MIN_MEAN_ROWS * max(1, problem.num_segments)):
        return None
    kernels = list(kernels)
    most = HANDOFF_OVER_PAIR_MAX_TILES_PER_BLOCK
    if problem.rank > HANDOFF_WIDE_RANK_ABOVE:
        most = _wide_rank_tiles_per_block(problem, kernels, num_sms, resident_blocks, resident_clusters)
        if not most:
            return None
    return prefers_handoff(problem, kernels, num_sms, resident_blocks, most)


def _wide_rank_tiles_per_block(problem: Problem, kernels: list[KernelRecord], num_sms: int,
                               resident_blocks: Callable[[KernelRecord], int],
                               resident_clusters: Optional[ClusterCounts]) -> int:
    """handoff_over_pair's column-tile limit above the wide rank, by the kernel rank_split's halves of `problem` would
    run on: HANDOFF_OVER_PREFILL_HALVES_MAX_TILES_PER_BLOCK (at most the wide rank's limit) where it is the prefill
    kernel, 0 (none) where that takes segments of at most PREFILL_SHORT_MAX_MEAN_ROWS rows, else
    HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK."""
    half = _half_rank(problem)
    chosen = half and one_launch_kernel(half, kernels, num_sms, resident_blocks, second_wave_over_pair=False,
                                        resident_clusters=resident_clusters)
    if chosen is None or chosen.op != "prefill":
        return HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK
    if problem.num_rows <= PREFILL_SHORT_MAX_MEAN_ROWS * max(1, problem.num_segments):
        return 0
    return min(HANDOFF_OVER_PREFILL_HALVES_MAX_TILES_PER_BLOCK, HANDOFF_OVER_PAIR_WIDE_RANK_MAX_TILES_PER_BLOCK)


# A batch without a one-launch kernel at its rank (at 128 in the default build: those the fused kernel's grid
# handoff does not take, over 256 rows or more column tiles a block than handoff_over_pair allows, and the prefill
# batches its prefill kernel, a 64-row tile only since entry 195, does not: many short segments, mid-size batches whose
# 64-row tiles fill too few SMs) runs add_lora as two one-launch add_loras over the halves
# of the rank where both halves have one: (x A^T) B^T = (x A_1^T) B_1^T + (x A_2^T) B_2^T, A_1 being A's first r / 2
# rows and B_1 B's first r / 2 columns (views, no copies). x is read twice and y read and written twice, and y is
# rounded to its dtype after each half (v stays float32 within each). From benchmarks/dispatch_sweep.py over the
# full sweep's r128 cases (NOTES.md, entry 66): 0.61-0.98x the launch pair's time on 46 of 60, 1.00-1.05x on the
# rest (skewed batches, small ones of 4096 -> 14336). RANK_SPLIT 0: never (the launch pair).
RANK_SPLIT = 1


def rank_split(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
               resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1,
               resident_clusters: Optional[ClusterCounts] = None) -> Optional[Problem]:
    """The problem of each half-rank add_lora that together run add_lora `problem` (op "fused"), or None: RANK_SPLIT
    off, several output slices, a one-launch kernel at the full rank, halves off the 16-wide MMA steps, or no
    one-launch kernel for the half without the 16-row prefill tile's second wave in place of the pair (entry 149). The
    half's B columns start r / 2 elements into each row: aligned as the whole."""
    half = _half_rank(problem)
    if not RANK_SPLIT or half is None:
        return None
    kernels = list(kernels)
    if one_launch_kernel(problem, kernels, num_sms, resident_blocks, resident_clusters=resident_clusters) is not None:
        return None
    chosen = one_launch_kernel(half, kernels, num_sms, resident_blocks, second_wave_over_pair=False,
                               resident_clusters=resident_clusters)
    return half if chosen is not None else None


def _half_rank(problem: Problem) -> Optional[Problem]:
    """`problem` at half its rank (each of rank_split's two launches), or None where the halves are not defined: several
    output slices, or a rank off the 16-wide MMA steps."""
    if problem.num_slices != 1 or problem.rank < 32 or problem.rank % 32:
        return None
    return dataclasses.replace(problem, rank=problem.rank // 2, slice_ranks=(problem.rank // 2,))


def one_launch_problem(problem: Problem, kernel: KernelRecord) -> Problem:
    """add_lora's `problem` (op "fused", as Problem.for_add_lora gives it) as the one-launch `kernel` it was given
    to (the fused, prefill or gemv kernel) is checked and planned (itself where its op is the kernel's already)."""
    return problem if problem.op == kernel.op else dataclasses.replace(problem, op=kernel.op)
