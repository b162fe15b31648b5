"""Whether the gemv kernel (gemv.cuh) runs add_lora for a batch of one-row segments, and which of its builds
(prefers_gemv, gemv_over_prefill): one_launch_kernel's first rule, split from one_launch.py. Pure functions of
host-known shapes, unit-tested without a GPU (tests/test_one_launch_gemv.py); their constants are read at each call,
so tools (benchmarks/dispatch_sweep.py) and tests may set them here.
"""
from __future__ import annotations

from typing import Iterable, Optional

from .dispatch import Problem, can_run
from .manifest import ClusterCounts, KernelRecord


# Batches of one-row segments (the host knows every segment's length: max_segment_rows 1) take the gather
# matrix-vector kernel (gemv.cuh) in the widest cluster of C blocks a segment whose launch is one wave: no more
# segments than the GPU holds such clusters at once (the driver's count, resident_clusters: on the H200 fewer than
# 132 / C at one block an SM; 16 segments in clusters of 8 or 32 in clusters of 4 took two waves, 1.1-1.4x slower).
# Its blocks stream gemv_block_bytes each at about one SM's rate, so it wins where the launch fills at least
# GEMV_FULL_SM_PERCENT of the SMs, or GEMV_MIN_SM_PERCENT with blocks of at most GEMV_SMALL_BLOCK_BYTES, and where a
# thread expands at most GEMV_MAX_EXPAND_ROUNDS rounds of 8 columns (each round's loads wait for the last's). It gives
# way to the prefill kernel where that takes the batch (its 16-row tile filling the SMs: 64 segments). From entry
# 242's sweeps (r16, bf16 and fp16, 8-64 segments at 8 shapes from 2048 to 18944 -> 3584, medians of 2, against the
# kernels without it): launches of 80-112 blocks 0.75-0.97x but at 4 or 5 rounds (4096 -> 14336 and 3584 -> 18944 in
# clusters of 2: 0.92-1.06x); 64 blocks 0.80-0.97x with blocks under 80 KB but at 4096 in clusters of 8 (0.97-1.03x),
# 0.89-1.16x above; the 16-row prefill tile's 64 segments 0.97-1.26x.
# Since entry 285 (the batch tables read before the wait, 0.4-0.6 us a call off the kernel) larger blocks pass the
# GEMV_MIN_SM_PERCENT fill too where a thread expands its columns in at most GEMV_BIG_BLOCK_MAX_ROUNDS rounds: then all
# of a thread's loads are in flight at once. From entry 288's sweep (r16, 8 and 32-36 one-row segments, 48-55% fills,
# blocks of 84-396 KB, 10 shapes from 2048 to 18944 -> 3584, bf16, and fp16 at four of them, medians of 2): one round
# 0.74-0.97x at every shape (8192 x 8 segments 0.74x, 4096 x 32-36 0.83-0.87x); two rounds 0.91-1.08x, slower at
# 8192, 4096 -> 8192 and 5120 x 36 segments, so those stay out. Entry 290 timed the rest of the picks it changes (17-19
# segments in clusters of 4, 31-39 in clusters of 2, the same 10 shapes, both dtypes): 0.70-1.02x, median 0.86x.
# The kernels of GEMV_HALF_WARPS (4-warp clusters of 4 and 8, two blocks an SM: the H200 holds 62 and 30 such
# clusters, not 30 and 15) run on batches of at most GEMV_HALF_MAX_SEGMENTS segments where the GEMV_WARPS pick fills
# under GEMV_FULL_SM_PERCENT of the SMs and theirs, the widest one-wave cluster of no more blocks than SMs, is as wide
# and within the same limits with at most GEMV_HALF_MAX_EXPAND_ROUNDS rounds: 8-9 and 17-19 segments of small blocks,
# and 16. From entries 245-246's sweeps (r16 one-row batches at 8 shapes from 2048 to 18944 -> 3584, bf16 and fp16,
# medians of 3, against the GEMV_WARPS kernels' pick): at 16 segments (clusters of 8) 0.86-1.02x (median 0.975), but
# 1.06-1.09x where a thread expands in 3 rounds (3584 -> 18944); at 8-9 (of 8) and 17-19 (of 4) segments of blocks
# under 80 KB (2048-5120) 0.84-0.92x; clusters of 8 at 17-19 (more blocks than SMs) 0.84-1.24x, slower at 5 of the 8
# shapes; clusters of 4 at 31-33 0.90-1.17x, slower at 2048, 5120 and 8192; where the 8-warp launch fills 61-85% of
# the SMs (12-14 and 20-28 segments, 4 shapes) 0.93-1.14x. Of the 4-warp clusters within those limits the narrowest
# whose blocks stream at most GEMV_SMALL_BLOCK_BYTES runs (on the H200: 16 segments in clusters of 4, not 8, at
# hidden sizes up to 4096). From entry 282's sweep (16 one-row segments at 11 shapes, bf16 and fp16, medians of 3):
# 0.83-0.89x at 2048-4096 (blocks of 39-78 KB); 1.05-1.25x where the blocks are 94-180 KB (5120, 6144, 8192,
# 14336 -> 4096, 4096 -> 8192, 2048 -> 8192) but for 8192 -> 4096 (119 KB, 0.96-0.97x).
# Where the prefill kernel (or, at 2048, the fused kernel) also takes a batch of one-row segments (from ~60 of them),
# the gemv pick runs it if a thread expands in at most GEMV_OVER_PREFILL_MAX_ROUNDS rounds. From entry 291's sweep
# (60-66 segments at 10 shapes, r16, bf16 and fp16, medians of 2; 8-warp clusters of 2): one round 0.83-0.95x (4096
# x 64 segments 8.7 -> 7.8 us; 2048, 14336 -> 4096, 8192 -> 4096, 18944 -> 3584); two rounds 1.01-1.08x (8192, 5120,
# 4096 -> 8192), so those stay on the prefill kernel.
# Rank 8 (entry 305: the same rules on its own kernels, 0.42-0.82x what ran before) also takes, where none of the
# above picks a kernel for a batch of more than GEMV_HALF_MAX_SEGMENTS segments, the widest one-wave cluster of
# GEMV_HALF_WARPS warps within the fill limits and at most GEMV_FALLBACK_MAX_ROUNDS rounds of the expand: clusters of
# 2 (the H200 holds 132 of those blocks two an SM) for 67-132 segments, which ran rank 8's 16-row prefill tile, and
# 4-8 for 36-50 segments at wide h_out (the pair or the grid handoff). From entry 306's sweep (20-132 one-row segments
# at 7 shapes from 2048 to 18944 -> 3584, bf16, medians of 2): rank 8 0.56-0.95x on all 27 batches it moved (4096 x
# 80: 8.9 -> 6.9 us; 8192 x 36: 10.7 -> 6.0); rank 16 1.05-1.23x on 5 of 9 (its own 16-row prefill tile and grid
# handoff are nearer their bytes; 0.86-0.93x only at 2048), hence up to GEMV_FALLBACK_MAX_RANK. Past one wave (133+
# segments) it takes the 4-warp cluster of fewest waves, up to GEMV_FALLBACK_MAX_WAVES: two blocks an SM, an SM
# starts a block of the next wave as soon as one of its two ends (rank 16's 8-warp clusters, one an SM, lost in
# several waves, entry 293). From entry 310's sweep (140-396 one-row segments at 5 shapes, bf16, medians of 2) two
# waves took 14 of 15 batches to 0.87-0.98x rank 8's two-block 16-row tile (14336 -> 4096 x 256 29.1 -> 26.8 us), h8192
# x 256 1.01x (1.03x across runs, entry 311); three waves 0.96-1.12x.
GEMV = 1  # 0: never (dispatch_sweep's switch)
GEMV_WARPS = 8
GEMV_HALF_WARPS = 4  # 0: only the GEMV_WARPS kernels (dispatch_sweep's switch)
GEMV_FULL_SM_PERCENT = 60
GEMV_MIN_SM_PERCENT = 45
GEMV_SMALL_BLOCK_BYTES = 80 * 1024
GEMV_BIG_BLOCK_MAX_ROUNDS = 1  # 0: blocks over GEMV_SMALL_BLOCK_BYTES only at GEMV_FULL_SM_PERCENT (dispatch_sweep)
GEMV_MAX_EXPAND_ROUNDS = 3
GEMV_HALF_MAX_EXPAND_ROUNDS = 2
GEMV_HALF_MAX_SEGMENTS = 19
GEMV_HALF_NARROW = 1  # 0: the 4-warp kernel always in its widest one-wave cluster (dispatch_sweep's switch)
GEMV_OVER_PREFILL_MAX_ROUNDS = 1  # 0: the prefill kernel wherever it takes the batch (dispatch_sweep's switch)
GEMV_FALLBACK_MAX_RANK = 8  # 0: never (dispatch_sweep's switch)
GEMV_FALLBACK_MAX_ROUNDS = 4
GEMV_FALLBACK_MAX_WAVES = 2  # 1: one wave only (dispatch_sweep's switch)


def gemv_block_bytes(problem: Problem, cluster: int) -> int:
    """Bytes one block of the gemv kernel streams for a one-row segment in clusters of `cluster`: its rank / cluster
    rows of A and x's row over h_in, its 1 / cluster share of h_out's columns of B (every rank), y read and written."""
    h_in, h_out, elt = problem.hidden, problem.slice_hidden[0], 2
    out_cols = -(-h_out // cluster)
    return elt * ((problem.rank // cluster + 1) * h_in + (problem.rank + 2) * out_cols)


def _gemv_fill(problem: Problem, kernel: KernelRecord, num_sms: int) -> float:
    """Percent of the SMs the gemv launch's blocks would cover, one block each."""
    return 100 * problem.num_segments * kernel.gemv_cluster / num_sms


def gemv_expand_rounds(problem: Problem, kernel: KernelRecord) -> int:
    """Rounds of 8 columns each thread of the gemv kernel expands over its block's share of h_out's columns."""
    return -(-problem.slice_hidden[0] // (kernel.gemv_cluster * 8 * kernel.threads))


def _gemv_within_limits(problem: Problem, kernel: KernelRecord, num_sms: int, max_rounds: int) -> bool:
    """The fill and block size limits above, and at most `max_rounds` rounds of the expand, for this kernel's launch."""
    cluster = kernel.gemv_cluster
    fill = _gemv_fill(problem, kernel, num_sms)
    rounds = gemv_expand_rounds(problem, kernel)
    small = gemv_block_bytes(problem, cluster) <= GEMV_SMALL_BLOCK_BYTES
    loads_at_once = rounds <= GEMV_BIG_BLOCK_MAX_ROUNDS
    return rounds <= max_rounds and (
        fill >= GEMV_FULL_SM_PERCENT or (fill >= GEMV_MIN_SM_PERCENT and (small or loads_at_once)))


def prefers_gemv(problem: Problem, kernels: Iterable[KernelRecord], num_sms: int,
                 resident_clusters: Optional[ClusterCounts] = None) -> Optional[KernelRecord]:
    """The gemv kernel to run add_lora `problem` (op "gemv") in one launch, or None: one-row segments only (their
    lengths known on the host); of GEMV_WARPS warps, the widest cluster whose launch is one wave
    (resident_clusters(kernel, cluster): clusters the GPU holds at once; by default num_sms // cluster), where that
    launch fills GEMV_FULL_SM_PERCENT of the SMs; else, up to GEMV_HALF_MAX_SEGMENTS segments, the GEMV_HALF_WARPS
    kernel's widest one-wave cluster of no more blocks than SMs if it is as wide, else the GEMV_WARPS one, whichever
    is within the limits: GEMV_MIN_SM_PERCENT of the SMs with blocks of at most GEMV_SMALL_BLOCK_BYTES or at most
    GEMV_BIG_BLOCK_MAX_ROUNDS rounds of the expand a thread, and at most GEMV_MAX_EXPAND_ROUNDS
    (GEMV_HALF_MAX_EXPAND_ROUNDS) rounds of the expand a thread; the GEMV_HALF_WARPS kernel then in its narrowest
    cluster within those limits whose blocks are of at most GEMV_SMALL_BLOCK_BYTES (GEMV_HALF_NARROW). Where none of
    that picks a kernel for a batch of more than GEMV_HALF_MAX_SEGMENTS segments up to GEMV_FALLBACK_MAX_RANK, the
    GEMV_HALF_WARPS kernel of fewest waves (up to GEMV_FALLBACK_MAX_WAVES), then widest, within the fill limits and
    GEMV_FALLBACK_MAX_ROUNDS (the note above GEMV).
    one_launch_kernel also leaves to the prefill kernel the batches it takes, but where gemv_over_prefill holds."""
    if not GEMV or problem.max_segment_rows != 1 or problem.num_segments < 1:
        return None
    held = resident_clusters or (lambda kernel, cluster: num_sms // cluster)
    kernels = list(kernels)

    def one_wave(warps: int, max_blocks: Optional[int] = None) -> list[KernelRecord]:
        return [k for k in kernels if k.warps == warps and can_run(problem, k)
                and problem.num_segments <= held(k, k.gemv_cluster)
                and (max_blocks is None or problem.num_segments * k.gemv_cluster <= max_blocks)]

    def widest_one_wave(warps: int, max_blocks: Optional[int] = None) -> Optional[KernelRecord]:
        return max(one_wave(warps, max_blocks), key=lambda k: k.gemv_cluster, default=None)

    full = widest_one_wave(GEMV_WARPS)
    full_ok = full is not None and _gemv_within_limits(problem, full, num_sms, GEMV_MAX_EXPAND_ROUNDS)

    def waves(k: KernelRecord) -> int:
        return -(-problem.num_segments // held(k, k.gemv_cluster))

    def or_fallback(pick: Optional[KernelRecord]) -> Optional[KernelRecord]:
        if pick is not None or problem.rank > GEMV_FALLBACK_MAX_RANK or problem.num_segments <= GEMV_HALF_MAX_SEGMENTS:
            return pick
        fewest_waves = min((k for k in kernels if k.warps == GEMV_HALF_WARPS and can_run(problem, k)
                            and waves(k) <= GEMV_FALLBACK_MAX_WAVES),
                           key=lambda k: (waves(k), -k.gemv_cluster), default=None)  # then the widest
        within = fewest_waves is not None and _gemv_within_limits(problem, fewest_waves, num_sms,
                                                                  GEMV_FALLBACK_MAX_ROUNDS)
        return fewest_waves if within else None

    if full is not None and _gemv_fill(problem, full, num_sms) >= GEMV_FULL_SM_PERCENT:
        return or_fallback(full if full_ok else None)
    fits_half = GEMV_HALF_WARPS and problem.num_segments <= GEMV_HALF_MAX_SEGMENTS
    half = widest_one_wave(GEMV_HALF_WARPS, max_blocks=num_sms) if fits_half else None
    if (half is not None and (full is None or half.gemv_cluster >= full.gemv_cluster)
            and _gemv_within_limits(problem, half, num_sms, GEMV_HALF_MAX_EXPAND_ROUNDS)):
        narrower = [k for k in one_wave(GEMV_HALF_WARPS) if GEMV_HALF_NARROW and k.gemv_cluster < half.gemv_cluster
                    and gemv_block_bytes(problem, k.gemv_cluster) <= GEMV_SMALL_BLOCK_BYTES
                    and _gemv_within_limits(problem, k, num_sms, GEMV_HALF_MAX_EXPAND_ROUNDS)]
        return min(narrower, key=lambda k: k.gemv_cluster, default=half)
    return or_fallback(full if full_ok else None)


def gemv_over_prefill(problem: Problem, gemv: KernelRecord) -> bool:
    """Whether prefers_gemv's pick `gemv` runs add_lora `problem` even where the prefill kernel would take it: where
    each thread expands in at most GEMV_OVER_PREFILL_MAX_ROUNDS rounds (the note above GEMV)."""
    return gemv_expand_rounds(problem, gemv) <= GEMV_OVER_PREFILL_MAX_ROUNDS
