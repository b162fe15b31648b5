"""Kernel specializations: one frozen KernelSpec each, and the default grid as data."""
from __future__ import annotations

import dataclasses
import fnmatch
import itertools
from typing import Iterable, Iterator

OPS = ("shrink", "expand", "fused", "prefill", "gemv")
DTYPES = {"fp16": "__half", "bf16": "__nv_bfloat16"}
RANKS = (8, 16, 32, 64, 128)
HIDDEN_SIZES = (2048, 2560, 3072, 4096, 5120, 8192, 11008, 14336)
ANY = 0  # a rank or hidden size of 0 is read at run time (the generic kernels)
MIN_ARCH = 80  # mma.sync m16n8k16 with bf16 needs sm_80
MAX_SMEM_BYTES = 227 * 1024  # per block on sm_90 after opt-in
DEFAULT_SMEM_BYTES = 48 * 1024  # above this a kernel must opt in
GENERIC_RANK_TILE = 64
EXPAND_STAGES = 2  # the pipelined expand's shared-memory stages
SHRINK_STAGE_BYTES = 64 * 1024  # the pipelined shrink's slots per block (stages of every thread's pieces)
PIPELINE_MIN_ROWS = 32  # shrink and expand tiles of at least this many rows are pipelined (KernelSpec.stages)
NARROW_ROWS = 8  # the narrow expand's row tile (the MMA's n)
NARROW_MAX_RANK = 16  # ... compiled for these ranks: at r64 it lost to the 16-row tile (benchmarks/NOTES.md, entry 20)
CHUNK = 32  # reduction elements one warp consumes per step; every kernel static_asserts csrc's kChunk equals it


@dataclasses.dataclass(frozen=True)
class KernelSpec:
    """One compiled kernel. `name` is derived from the fields and keys everything else."""

    op: str  # "shrink" (h_in -> r), "expand" (r -> h_out), "fused" (add_lora in one launch: h_in -> r -> h_out),
    # "prefill" (add_lora in one launch for long segments, rows streamed through shared memory) or "gemv" (add_lora in
    # one launch for one-row segments as a gather matrix-vector kernel; warp_rows 1, tile_n the ranks a block computes)
    dtype: str  # "fp16" or "bf16"
    rank: int  # r, or ANY
    hidden: int  # h_in for shrink, h_out for expand, or ANY
    warps: int  # warps per thread block
    warp_rows: int  # rows per tile (a multiple of 16)
    tile_n: int  # shrink: ranks per block; expand and fused: output columns per block (32 x unroll per warp in
    # the expand)
    unroll: int  # independent tiles in flight per warp: shrink and fused: 32-wide h_in chunks; expand: 32-column
    # tiles
    vectorized: bool  # 16-byte vector loads (needs aligned rows); False = element loads, any shape
    true_ranks: bool = False  # prefill: the variant that takes the adapters' true ranks (SgmvParams::ranks); the
    # others compute every adapter at the full rank and stay as they were (benchmarks/NOTES.md, entry 98). fused (at
    # FUSED_TRUE_RANKS_RANKS): the variant that reads B only within them, for calls whose B rows are narrower than the
    # kernel's rank (fused.cuh's kTrueRanks; entry 333)
    blocks_per_sm: int = 1  # prefill: the blocks an SM holds at once (the launch bounds); 2 for the variant of
    # the tiles of PREFILL_TWO_BLOCK_TILES, which dispatch runs on batches of more blocks than SMs
    flat_tiles: bool = False  # fused: the variant for the grid handoff with the batch's row tiles numbered over all
    # segments (fused.cuh's kFlat; dispatch.handoff_flat), a kernel of its own (benchmarks/NOTES.md, entry 135)
    tile_barrier: bool = False  # fused: the variant for the grid handoff whose blocks wait for their own row tile's
    # blocks only (fused.cuh's kTileBarrier; dispatch.HANDOFF_TILE_BARRIER_MIN_TILES), a kernel of its own (entry 249)
    phase: str = ""  # prefill: "" (add_lora), or the half of it that the standalone op of that name runs on tall
    # batches (prefill.cuh's kPhase: "shrink" stores v, "expand" reads it; PREFILL_PHASE_RANKS' 64-row tile; entry 368)
    packed: bool = False  # fused: the variant for packed calls, several output slices of one x in one launch (grid x
    # segment + pair x segments, on the flat grid the pair; fused.cuh's kPacked, FUSED_PACKED_RANKS;
    # benchmarks/NOTES.md, entries 371-372)

    @property
    def name(self) -> str:
        hidden = f"h{self.hidden}" if self.hidden else "hany"
        vec = "v8" if self.vectorized else "v1"
        tile = f"w{self.warps}m{self.warp_rows}n{self.tile_n}u{self.unroll}"
        blocks = f"_b{self.blocks_per_sm}" if self.blocks_per_sm > 1 else ""
        return (f"{self.unit}_{hidden}_{tile}_{vec}{blocks}" + ("_ranks" if self.true_ranks else "")
                + ("_flat" if self.flat_tiles else "") + ("_tb" if self.tile_barrier else "")
                + (f"_{self.phase}" if self.phase else "") + ("_pk" if self.packed else ""))

    @property
    def unit(self) -> str:
        """The compile unit this kernel is built in: one nvcc call and one fatbin for every kernel of an op, dtype
        and rank (the prefix of their names). nvcc's fixed cost a call (~2 s, mostly CUTLASS's and CuTe's headers)
        was ~85% of the build with a call a kernel (benchmarks/NOTES.md, entry 67)."""
        rank = f"r{self.rank}" if self.rank else "rany"
        return f"sgmv_{self.op}_{self.dtype}_{rank}"

    @property
    def threads(self) -> int:
        return 32 * self.warps

    @property
    def launch_bounds(self) -> str:
        """__launch_bounds__ arguments. The 8-warp expand (prefill) must keep 2 blocks on an SM, so at most 128
        registers a thread: run 14 of benchmarks/NOTES.md (left to itself the compiler took up to 155). The
        r128 decode expand (weights one chunk at a time) is held to 4 blocks an SM: 5-32% faster on batches of
        16-256 rows, up to 5% slower on the smallest (benchmarks/NOTES.md, entry 21)."""
        if self.op == "expand" and self.threads == 256:
            return f"{self.threads}, 2"
        if self.op in ("fused", "gemv"):
            return f"{self.threads}, 1"
        if self.op == "prefill":  # its stages take up to PREFILL_SMEM_BYTES of an SM's shared memory
            return f"{self.threads}, {self.blocks_per_sm}"
        if self.narrow:  # 5 blocks an SM: 96 registers, no spills
            return f"{self.threads}, 5"
        if self.op == "expand" and self.warp_rows == 16 and self.rank > 2 * CHUNK:
            return f"{self.threads}, 4"  # r128 decode: 127 registers, no spills (157 unbounded: 3 blocks an SM)
        return str(self.threads)

    @property
    def cluster_sum(self) -> bool:
        """Fused: the kernel carries the cluster sum and its shared memory (fused.cuh's kClusterSum), which the grid
        handoff also uses for a block's second column tile in the kernels of several 32-column tiles a warp
        (fused.cuh's kRing; the others keep one tile's copies in flight, entry 88). Dispatch sums in clusters up to
        rank 16 (dispatch.py's FUSED_MAX_RANK, not this module's). Above, the kernels up to
        FUSED_STORAGE_MAX_RANK and those of one 32-column tile a warp up to FUSED_ONE_TILE_STORAGE_MAX_RANK carry it:
        without it their launches were 3-8% slower, while the r64 256-column kernel's, whose two blocks an SM then
        leave L1 more room, were 2-7% faster (benchmarks/NOTES.md, entries 83 and 87). Rank 128's kernel has no room
        for it (the cluster's 8 partial tiles would be 64 KB)."""
        one_tile_storage = self.col_tiles == 1 and self.rank <= FUSED_ONE_TILE_STORAGE_MAX_RANK
        return self.op == "fused" and self.warp_rows == 16 and (self.rank <= FUSED_STORAGE_MAX_RANK or one_tile_storage)

    @property
    def rank_halves(self) -> bool:
        """Fused: the shrink's warps in two halves of the rank, a partial tile a pair of warps (fused.cuh's
        kRankHalves, given by the template): the 32-row tiles from FUSED_RANK_HALVES_MIN_RANK."""
        return self.op == "fused" and self.warp_rows == 32 and self.rank >= FUSED_RANK_HALVES_MIN_RANK

    @property
    def occupancy_cap(self) -> int:
        """Blocks an SM the loader lets the driver place at once (loader.carveout_percent), 0 for as many as its
        registers and shared memory allow: FUSED_CAPPED_BLOCKS_PER_SM for the fused tiles of FUSED_CAPPED_WARPS warps
        up to FUSED_CAPPED_MAX_RANK but their flat twins (which run only through the grid handoff, whose grids then
        take three blocks an SM: dispatch.HANDOFF_BLOCKS_PER_SM)."""
        capped = (self.op == "fused" and self.warps == FUSED_CAPPED_WARPS and 0 < self.rank <= FUSED_CAPPED_MAX_RANK
                  and not self.flat_tiles)
        return FUSED_CAPPED_BLOCKS_PER_SM if capped else 0

    @property
    def gemv_cluster(self) -> int:
        """Gemv: the blocks of a segment's thread-block cluster (gemv.cuh's kCluster), each tile_n of the ranks."""
        return self.rank // self.tile_n if self.op == "gemv" and self.tile_n else 0

    @property
    def col_tiles(self) -> int:
        """Expand and fused: 32-column tiles per warp."""
        return self.tile_n // (32 * self.warps)

    @property
    def stages(self) -> int:
        """cp.async stages of shared memory that keep the loads in flight (shrink.cuh's and expand.cuh's
        kStages; 0: loads in registers). Only tall (prefill) tiles, vectorized, of a specialized rank up to 64
        (whose B fragments fit one stage) are pipelined: the shrink with as many stages (2-8) as fit about
        SHRINK_STAGE_BYTES of slots, the expand with EXPAND_STAGES while each block streams several column
        tiles. Pipelined 16-row (decode) tiles were slower on all but the largest distinct batches: their
        shared memory shrinks L1 and occupancy beside the other kernel of the pair (benchmarks/NOTES.md,
        entries 12 and 13)."""
        if self.op == "prefill":
            one_block_short_only = self.rank in PREFILL_SHORT_ONLY_RANKS and self.blocks_per_sm == 1
            return prefill_stages(self.warp_rows, self.tile_n, self.rank,
                                  PREFILL_SHORT_ONLY_MAX_STAGES if one_block_short_only else PREFILL_MAX_STAGES)
        if (self.op == "fused" or not self.vectorized or not 0 < self.rank <= 2 * CHUNK
                or self.warp_rows < PIPELINE_MIN_ROWS):
            return 0
        if self.op == "expand":
            return EXPAND_STAGES
        return max(2, min(8, SHRINK_STAGE_BYTES // (16 * self.threads * self._shrink_pieces)))

    @property
    def narrow(self) -> bool:
        """An expand of 8-row tiles with the MMA's operands swapped (expand_narrow.cuh): for segments of a few
        rows; `unroll` counts 64-column groups per warp."""
        return self.op == "expand" and self.warp_rows == NARROW_ROWS

    @property
    def pipelined(self) -> bool:
        """An expand whose blocks stream SgmvParams.col_tiles_per_block column tiles (dispatch reads it)."""
        return self.op == "expand" and self.stages > 0

    @property
    def prefill_producers(self) -> int:
        """Prefill: the warps that copy (prefill.cuh's kProducers); the others multiply."""
        return PREFILL_PRODUCER_WARPS

    @property
    def prefill_split(self) -> int:
        """Prefill: consumer warps per 16-row group (prefill.cuh's kSplit): the warps past the producers and the
        walking warp."""
        return (self.warps - PREFILL_SUPPORT_WARPS) * 16 // self.warp_rows

    @property
    def _shrink_pieces(self) -> int:
        """16-byte pieces of x (two rows per 16-row MMA) and of the weights (one per 8 ranks) a thread copies per
        chunk."""
        return 2 * (self.warp_rows // 16) + self.tile_n // 8

    @property
    def _prefill_stage_bytes(self) -> int:
        return prefill_stage_bytes(self.warp_rows, self.tile_n, self.rank)

    @property
    def smem_bytes(self) -> int:
        """Dynamic shared memory: the shrink's cross-warp float32 reduction buffer; the expand's staged
        32-wide chunk of v (rows padded by 4 floats); the fused kernel's shrink buffer, its row tile of v (split as the
        expand's MMAs take it: expand.cuh's SplitV, a line of 4 x 4 pieces a chunk and 4 of padding a row pair),
        every thread's 16-byte slots for its B fragments (per 32-wide rank chunk) and its pieces of y, and, where it
        has the cluster sum, either the partial tiles the cluster's blocks push to it or (the grid handoff) a second
        column tile's slots, with the cluster's barrier; the
        pipelined shrink's slots for its pieces of x and the weights, per stage; the pipelined expand's row tile
        of v (every chunk) and its B and y slots, per stage."""
        if self.op == "prefill":  # the stages, the cluster partner's partial v, a full and an empty barrier per
            # stage, two handed-over tiles (16 bytes, 20 with a true rank) with a full and an empty barrier each, the
            # partner's landing barrier and a read barrier per swap round (three for the 64-row tile's clusters of up
            # to eight, prefill.cuh's kSwapRounds); in whole 16 bytes (the stages' alignment)
            tile = 20 if self.true_ranks else 16
            swap_rounds = 3 if self.warp_rows == 64 else 1
            raw = (self.stages * (self._prefill_stage_bytes + 16) + 4 * self.warp_rows * self.rank + 2 * (tile + 16)
                   + 8 * (1 + swap_rounds))
            return -(-raw // 16) * 16
        if self.op == "shrink":
            return 4 * self.warps * self.warp_rows * self.tile_n + 16 * self.threads * self._shrink_pieces * self.stages
        if self.op == "gemv":  # each warp's sums of the block's ranks, v by row parity, two barriers
            return 4 * self.warps * self.tile_n + 4 * 2 * self.rank + 16
        if self.op == "fused":
            chunks = -(-self.rank // CHUNK)
            partial = 4 * self.warps * self.warp_rows * self.rank // (2 if self.rank_halves else 1)
            v = 16 * (self.warp_rows // 2) * (4 * 4 * chunks + 4)
            slots = 16 * self.threads * self.col_tiles * (4 * chunks + 2 * (self.warp_rows // 16))  # a column tile's
            if not self.cluster_sum:
                return partial + v + slots
            received = 4 * FUSED_MAX_CLUSTER * self.warp_rows * self.rank  # every cluster block's tile
            return partial + v + slots + max(received, slots) + 16  # received or a second tile's slots, the barrier
        if self.narrow:
            return 4 * NARROW_ROWS * (-(-self.rank // CHUNK) * CHUNK + 4)
        if self.pipelined:
            chunks = -(-self.rank // CHUNK)
            v = 4 * self.warp_rows * (chunks * CHUNK + 4)
            slots = 16 * self.threads * self.col_tiles * (4 * chunks + 2 * (self.warp_rows // 16))
            return v + self.stages * slots
        return 4 * self.warp_rows * (CHUNK + 4)

    @property
    def chunk(self) -> int:
        return CHUNK

    @property
    def ctype(self) -> str:
        return DTYPES[self.dtype]

    @property
    def template(self) -> str:
        return f"sgmv_{self.op}.cu.j2"

    def manifest_row(self) -> dict:
        row = dataclasses.asdict(self)
        row.update(name=self.name, unit=self.unit, threads=self.threads, smem_bytes=self.smem_bytes, chunk=self.chunk,
                   pipelined=self.pipelined, narrow=self.narrow, stages=self.stages, gemv_cluster=self.gemv_cluster,
                   occupancy_cap=self.occupancy_cap)
        return row


# ---- predicates that prune the grid -------------------------------------------------------------

def valid_tile(spec: KernelSpec) -> bool:
    if (spec.op not in OPS or spec.dtype not in DTYPES or spec.warps < 1
            or (spec.true_ranks and spec.op not in ("prefill", "fused"))):
        return False
    if spec.flat_tiles and not (spec.op == "fused" and spec.warp_rows == 16):
        return False  # the flat grid handoff: 16-row fused tiles
    if spec.tile_barrier and (spec.op != "fused" or spec.flat_tiles):
        return False  # a barrier per row tile: the fused kernel's per-segment grid handoff
    if spec.packed and (spec.op != "fused" or spec.true_ranks or spec.warp_rows != 16):
        return False  # packed calls: the 16-row fused tiles, every adapter at the kernel's rank
    if spec.phase and (spec.op != "prefill" or spec.phase not in PREFILL_PHASES or spec.warp_rows != 64
                       or spec.true_ranks or spec.blocks_per_sm != 1):
        return False  # the standalone halves: the one-block 64-row prefill tile (prefill.cuh's kPhase)
    if spec.blocks_per_sm != 1 and not (spec.op == "prefill" and spec.blocks_per_sm == 2
                                        and 2 * (spec.smem_bytes + 1024) <= MAX_SMEM_BYTES + 1024):
        return False  # two blocks and their 1 KB reserves in the H100/H200's 228 KB an SM
    if spec.op == "gemv":
        return (spec.rank in GEMV_RANKS and spec.hidden == ANY and spec.vectorized and spec.warp_rows == 1
                and spec.unroll == 1 and spec.tile_n >= 1 and spec.rank % spec.tile_n == 0
                and spec.gemv_cluster in GEMV_CLUSTERS)
    if spec.narrow:
        return (spec.vectorized and spec.rank != ANY and spec.rank % 8 == 0 and spec.rank <= 2 * CHUNK
                and spec.unroll >= 1 and spec.tile_n == 64 * spec.warps * spec.unroll)
    if spec.warp_rows % 16:
        return False
    if spec.op == "shrink":
        rank_fits = spec.rank == ANY or spec.rank <= spec.tile_n
        return spec.tile_n % 8 == 0 and rank_fits and spec.unroll >= 1
    if spec.op == "prefill":
        rank_ok = spec.rank % 16 == 0 or (spec.rank in PREFILL_SHORT_ONLY_RANKS and spec.warp_rows == 16
                                          and not spec.true_ranks)
        return (spec.rank != ANY and spec.rank > 0 and rank_ok and spec.hidden == ANY and spec.vectorized
                and spec.prefill_split in PREFILL_SPLITS and spec.tile_n // 32 % spec.prefill_split == 0
                and (spec.warps - PREFILL_SUPPORT_WARPS) * 16 % spec.warp_rows == 0
                and spec.tile_n in PREFILL_CHUNKS and spec.unroll == 1)
    if spec.op == "fused":
        return (spec.rank != ANY and spec.rank % 8 == 0 and spec.hidden == ANY and spec.warp_rows in FUSED_ROW_TILES
                and spec.vectorized and spec.unroll >= 1 and spec.col_tiles >= 1
                and spec.tile_n == 32 * spec.warps * spec.col_tiles)
    return spec.unroll >= 1 and spec.tile_n == 32 * spec.warps * spec.unroll


def vector_ok(spec: KernelSpec) -> bool:
    """Vectorized kernels need whole 16-byte vectors in every row they read or write."""
    if not spec.vectorized:
        return True
    sizes = [spec.hidden] + ([spec.rank] if spec.op != "shrink" else [])
    return all(s % 8 == 0 for s in sizes)


def fits_smem(spec: KernelSpec) -> bool:
    return spec.smem_bytes <= MAX_SMEM_BYTES


def arch_ok(arch: int) -> bool:
    return arch >= MIN_ARCH


PREDICATES = (valid_tile, vector_ok, fits_smem)


# ---- the default grid ---------------------------------------------------------------------------

def _round8(n: int) -> int:
    return max(8, (n + 7) // 8 * 8)


# Tiles per op, by regime: "decode" (a 16-row MMA tile, many blocks) and "prefill" (taller tiles that
# reuse each weight fragment over more rows; dispatch.select takes them for long segments in big batches).
# Chosen by the tile sweep in benchmarks/NOTES.md: a tall shrink tile only pays at r >= 64, and the expand's
# best tall tile is 8 warps x 32 rows. EXTRA_TILES are the other candidates of that sweep
# (SGMV_EXTRA_TILES=1), not shipped.
def _shrink_unroll(tile_n: int, warp_rows: int) -> int:
    """32-wide chunks in flight per warp: keep accumulators plus loads near 128 registers."""
    return max(1, min(4, 16 // (tile_n // 8), 8 * 16 // warp_rows))


def shrink_tiles(rank: int, extra: bool = False) -> list[dict]:
    tile_n = _round8(rank) if rank else GENERIC_RANK_TILE
    rows = [16] + ([32] if rank and tile_n >= 64 else []) + ([64] if extra and rank and tile_n <= 32 else [])
    return [dict(warps=4, warp_rows=r, tile_n=tile_n, unroll=_shrink_unroll(tile_n, r)) for r in rows]


def expand_tiles(rank: int, extra: bool = False) -> list[dict]:
    tiles = [dict(warps=4, warp_rows=16, tile_n=256, unroll=2)]
    if rank:
        tiles.append(dict(warps=8, warp_rows=32, tile_n=256, unroll=1))
    if rank and rank <= NARROW_MAX_RANK:  # the narrow tile: two 64-column groups a warp
        tiles.append(dict(warps=4, warp_rows=NARROW_ROWS, tile_n=512, unroll=2))
    if extra and rank:
        tiles += [dict(warps=4, warp_rows=16, tile_n=128, unroll=1), dict(warps=4, warp_rows=64, tile_n=128, unroll=1)]
    return tiles


# KernelSpec.occupancy_cap: the fused kernel stages v split as its expand's MMAs take it (fused.cuh), which in the
# 4-warp tiles of ranks 8-16 frees registers (r16 181 -> 166, r8 178 -> 164) for a third block an SM: so placed, their
# launches lost up to 18% (benchmarks/NOTES.md, entries 262 and 264); held to the two they had, 0.94-1.005x, median
# 0.989 (bf16) / 0.984 (fp16) on the full sweep's 30 cases a dtype on them (entry 267). Not the flat twins: the
# handoff's grids of three blocks an SM of them took skewed bs64 batches to 0.82-0.98x (entry 269).
FUSED_CAPPED_WARPS = 4
FUSED_CAPPED_MAX_RANK = 16
FUSED_CAPPED_BLOCKS_PER_SM = 2
FUSED_MAX_CLUSTER = 8  # csrc's kMaxCluster: the fused kernel receives that many blocks' partial tiles
FUSED_MAX_RANK = 128  # the fused kernel keeps a rank-wide tile per warp and B fragments per thread in shared memory
FUSED_CLUSTER_RANKS = (8, 16)  # dispatch sums v in clusters only up to rank 16 (benchmarks/NOTES.md, entry 9)
FUSED_STORAGE_MAX_RANK = 32  # KernelSpec.cluster_sum: the cluster's storage in every fused kernel up to this rank
FUSED_HANDOFF_RANKS = (32, 64, 128)  # ... and through the grid handoff (handoff.cuh) from rank 32 (entry 41)
FUSED_ONE_TILE_STORAGE_MAX_RANK = 64  # KernelSpec.cluster_sum: the one-tile-a-warp kernels' storage up to this rank
FUSED_ROW_TILES = (16, 32)  # rows a block: 32 (two MMA tiles sharing the block's loads of A and B) with the grid
# handoff only, no cluster sum (fused.cuh's kRowTile; benchmarks/NOTES.md, entry 128)
FUSED_TALL_RANKS = (16, 32, 64)  # ... compiled at these ranks: 8 warps x 256 or 512 columns, one block an SM (entry
# 128: 0.68-0.93x where dispatch takes them)
FUSED_NARROW_TALL_RANKS = (128,)  # ... and at these, 4 warps x 128 columns, two blocks an SM, the shrink's warps in
# two halves of the rank (fused.cuh's kRankHalves: 254 registers, no spill): rank 128's identical bs256 0.86-0.93x
# (entry 209); and 8 warps x 256 columns, one block an SM, in halves too (253-255 registers, no spill), which dispatch
# takes for those batches by its fewer blocks: 0.90-0.98x the 4-warp tile, median 0.97 (entry 387). With every warp
# over the whole rank, 8 warps x 256 columns and 4 x 128 held 128 accumulators a thread (255 registers and a spill)
# and were 1.19-1.30x slower (entries 204 and 208)
# Each fused tile at these ranks also as the variant for true ranks (KernelSpec.true_ranks): the kernels a rank off the
# grid pads to (24 -> 32, 40-56 -> 64, 72-120 -> 128; one_launch_padded), whose B rows are narrower than the kernel's
# rank (NOTES.md, entry 333)
FUSED_TRUE_RANKS_RANKS = (32, 64, 128)
FUSED_ONE_BARRIER_RANKS = (64, 128)  # ... and at these, a 16-row tile of FUSED_ONE_BARRIER_TILE (one block an SM)
# without the twins for the flat grid and for a barrier per row tile: dispatch takes it on launches of one barrier only
# (dispatch.py's HANDOFF_ONE_BARRIER_TILES), where at rank 128 it ran 0.72-0.98x the 4-warp tile, median 0.94 (NOTES.md,
# entries 388 and 392; its twins measured 0.99 and 1.01, entry 388), and at rank 64 only on launches of one row tile of
# 12 rows or more (HANDOFF_ONE_ROW_TILE_LEAST_ROWS), where it ran 0.90-0.97x dispatch's pick (entry 393)
FUSED_ONE_BARRIER_TILE = dict(warps=8, warp_rows=16, tile_n=256)


def one_barrier_only(spec: "KernelSpec") -> bool:
    """Whether `spec` is a fused tile built without twins (FUSED_ONE_BARRIER_RANKS)."""
    return (spec.op == "fused" and spec.rank in FUSED_ONE_BARRIER_RANKS
            and all(getattr(spec, field) == value for field, value in FUSED_ONE_BARRIER_TILE.items()))


# The 16-row tiles (and their twins with a barrier per row tile and for the flat grid) at these ranks also as the
# variant for packed calls (KernelSpec.packed: q + k + v, gate + up in one launch; slice_calls.packed_kernel), for
# decode batches, where one launch a slice loses to the launches and the launch pair to its re-reads (NOTES.md, entries
# 369-372)
FUSED_PACKED_RANKS = (16, 32, 64)
FUSED_RANK_HALVES_MIN_RANK = 64  # 32-row tiles from this rank split the shrink's rank in halves
# (KernelSpec.rank_halves), with the unroll of half the rank: rank 64's 8-warp tiles at u4, h8192 identical bs256
# 0.963x (entry 212; at u2, no faster)


def fused_tiles(rank: int, extra: bool = False) -> list[dict]:
    """One 16-row tile per cluster; 4 warps x 256 columns or 8 warps x 512 columns per block; the shrink's
    unroll as for the shrink kernel's 16-row tile. Ranks 32 and 64 run with the grid handoff, which wants a block
    per column tile: 4 warps x 128 or 256 columns; rank 128 too, 4 warps x 128 columns (250 registers; the 4-warp
    256-column tile spills). At FUSED_ONE_BARRIER_RANKS also FUSED_ONE_BARRIER_TILE (8 warps x 256 columns, one block
    an SM), with no twins for the flat grid or a barrier per row tile (entries 388, 392 and 393). Extra tiles: the
    others, and 2 warps x 64 columns (more blocks for the handoff: slower, benchmarks/NOTES.md, entry 41). Each other
    16-row tile also as the variant for the flat grid handoff (KernelSpec.flat_tiles: skewed segment lengths, entry
    135). The 32-row tiles of FUSED_TALL_RANKS and FUSED_NARROW_TALL_RANKS come without a flat variant. Every tile but
    the flat ones and FUSED_ONE_BARRIER_TILE also as the variant whose blocks wait for their own row tile only
    (KernelSpec.tile_barrier: launches of many row tiles, entry 249). At
    FUSED_PACKED_RANKS the shipped 16-row tiles and their twins with a barrier per row tile and for the flat grid also
    as the variant for packed calls (KernelSpec.packed)."""
    if not rank or rank > FUSED_MAX_RANK or (rank not in FUSED_CLUSTER_RANKS + FUSED_HANDOFF_RANKS and not extra):
        return []
    unroll = _shrink_unroll(_round8(rank), 16)
    tiles = {n: dict(warps=2 if n == 64 else n // 64 if n > 256 else 4, warp_rows=16, tile_n=n, unroll=unroll)
             for n in (64, 128, 256, 512)}
    shipped = (256, 512) if rank in FUSED_CLUSTER_RANKS else (128,) if rank > 64 else (128, 256)
    tall_unroll = _shrink_unroll(_round8(rank // 2 if rank >= FUSED_RANK_HALVES_MIN_RANK else rank), 32)
    tall = [dict(warps=8, warp_rows=32, tile_n=n, unroll=tall_unroll) for n in (256, 512)]
    short = [tiles[n] for n in sorted(tiles) if n in shipped or extra]
    one_barrier = [dict(FUSED_ONE_BARRIER_TILE, unroll=unroll)] if rank in FUSED_ONE_BARRIER_RANKS else []
    if rank in FUSED_NARROW_TALL_RANKS:
        tall = [dict(warps=4, warp_rows=32, tile_n=128, unroll=tall_unroll),
                dict(warps=8, warp_rows=32, tile_n=256, unroll=tall_unroll)]
    per_segment = short + (tall if rank in FUSED_TALL_RANKS + FUSED_NARROW_TALL_RANKS else [])
    packed = [dict(t, packed=True, **variant) for t in short if t["tile_n"] in shipped
              for variant in ({}, dict(tile_barrier=True), dict(flat_tiles=True))] if rank in FUSED_PACKED_RANKS else []
    return (per_segment + one_barrier + [dict(t, flat_tiles=True) for t in short]
            + [dict(t, tile_barrier=True) for t in per_segment] + packed)


PREFILL_CHUNKS = (128, 256)  # prefill.cuh's kStreamChunk: columns of h_in or h_out per stage (256: 1.3-5x slower
# with 64-row tiles, entry 31; faster with 16-row tiles, entries 38 and 45)
PREFILL_SMEM_BYTES = 150 * 1024  # stages per block: as many as fit this (one block an SM, every stage in flight).
# More copies in flight only wait longer in the memory system's queues: against 220 KB (10-13 stages at r16),
# 150 KB took the prefill kernel's cases to a median 0.99x (r16-r32 distinct bs64 0.93-0.99x); 110 KB lost at r64,
# whose 2-3 stages left bubbles (benchmarks/NOTES.md, entry 72); under PREFILL_MAX_STAGES, 185 and 220 KB gained
# nothing at r32-r64 (entry 90)
PREFILL_TWO_BLOCK_TILES = {(16, 16), (16, 8)}  # (rows, rank): prefill tiles also compiled for two blocks an SM (the
# r16 16-row tile: 95 -> 80 registers, no spills; its stages fit twice): a batch of more tiles than SMs runs them all at
# once, r16 distinct bs256 0.94-1.02x, median 0.975; one that fits one block an SM keeps the one-block kernel (two an SM
# put two blocks on some SMs while others idled: distinct bs64 1.07-1.17x; benchmarks/NOTES.md, entry 121). Rank 8's
# 16-row tile runs the batches rank 16's takes for rank 8 (one_launch_padded.padded_one_launch), so it has both too
PREFILL_MAX_STAGES = 6  # and never more than this many: rank 16's tiles, whose stages are small, fit 9 (16 rows) and 7
# (64 rows) in the budget; 6 took the 16-row tile's cases to a median 0.974x (0.93-1.02), the 64-row's to 0.995x, and
# 5 lost up to 7% on two-wave batches (distinct bs256; entry 89)
PREFILL_SHORT_ONLY_MAX_STAGES = 9  # rank 8's one-block 16-row tile, whose stages carry half rank 16's weights: 9
# stages (115 KB) took its distinct bs64 cases to 0.85-0.88x at h8192 and the MLP shapes (1.02x at h4096), where 12
# (all of the budget) gave 0.90-0.92x and 1.12x (benchmarks/NOTES.md, entry 253); the two-block tile keeps 6
PREFILL_PRODUCER_WARPS = 2  # prefill.cuh's kProducers: the warps that copy; the others (kSplit per 16 rows) multiply
PREFILL_SUPPORT_WARPS = PREFILL_PRODUCER_WARPS + 1  # and the walking warp, which hands each tile over (entry 46)
PREFILL_RANKS = (8, 16, 32, 64, 128)  # a multiple of 16 (v is the expand's MMA operand), or 8
PREFILL_SHORT_ONLY_RANKS = (8,)  # the 16-row tile only (prefill.cuh's m16n8k8 expand), no variant for true ranks:
# 0.72-0.97x rank 16's time on the batches padded_one_launch gave rank 16's 16-row tile (NOTES.md, entries 173-174)
PREFILL_TALL_ONLY_RANKS = (128,)  # the 64-row tile only (warpgroup MMAs, v summed in two rounds): the prefill batches
# that ran as two rank-64 launches, each reading x and y (NOTES.md, entry 195)
PREFILL_UNPADDED_RANKS = (128,)  # prefill.cuh's kRowPitch without the 16 unused bytes: rank 128's stages 51 -> 48 KB,
# so the budget holds four with the cluster partner's 32 KB (entry 198)
PREFILL_SPLITS = (2, 4, 8)  # prefill.cuh's kSplit: consumer warps per 16 rows, each a kSplit-th of every stage
PREFILL_PHASES = ("shrink", "expand")  # KernelSpec.phase: the standalone ops' halves of the 64-row tile (entry 368)
PREFILL_PHASE_RANKS = (16, 32, 64, 128)  # ... at the ranks of that tile


def prefill_wgmma_shrink(rows: int, rank: int) -> bool:
    """prefill.cuh's 64-row tile at ranks 16-128 runs its shrink as warpgroup MMAs from swizzled stages, which keep
    a stage until the next one's MMAs are issued (entries 106 and 108)."""
    return rows == 64 and rank in (16, 32, 64, 128)


def prefill_stage_bytes(rows: int, chunk: int, rank: int) -> int:
    """prefill.cuh's kStageBytes: the tile's rows of x or y (a stage's columns plus 16 bytes each but at
    PREFILL_UNPADDED_RANKS: kRowPitch, whose 16 bytes are unused since entry 115 packed the rows), then A's rows (the
    same pitch) or B's (every rank, swizzled), whichever is larger; the 64-row tile at ranks 16-128 in whole 1024
    bytes (its swizzled A, kStageAlign). The template's static_assert on SharedStorage's size checks the two agree."""
    row_pitch = 2 * chunk + (0 if rank in PREFILL_UNPADDED_RANKS else 16)
    weights = max(rank * row_pitch, chunk * 2 * rank)
    align = 1024 if prefill_wgmma_shrink(rows, rank) else 16
    return -(-(rows * row_pitch + weights) // align) * align


def prefill_stages(rows: int, chunk: int, rank: int, max_stages: int = PREFILL_MAX_STAGES) -> int:
    """The prefill tile's stages (KernelSpec.stages): as many as PREFILL_SMEM_BYTES holds, 2 to `max_stages`; the
    budget buys one more for the stage the warpgroup MMAs still read (entry 112)."""
    held = 1 if prefill_wgmma_shrink(rows, rank) else 0
    return max(2, min(max_stages, PREFILL_SMEM_BYTES // prefill_stage_bytes(rows, chunk, rank) + held))


def _prefill_split(rows: int, chunk: int, rank: int, stage: int) -> int:
    """The most consumer warps per 16 rows that share a stage's 32-column groups evenly and whose partial tiles
    of v fit one stage (sum_parts). Each consumer warp runs its share of a stage as one chain of dependent shared
    loads and MMAs, so more warps shorten a stage (entry 45: 8 for the 16-row tile of 256 columns)."""
    if rows == 64:  # each warpgroup 64 adjacent columns: the warpgroup MMA expand at every rank (entry 110)
        return chunk // 64
    return max(s for s in PREFILL_SPLITS if chunk // 32 % s == 0 and rows // 16 * s * 16 * rank * 4 <= stage)


def prefill_tiles(rank: int, extra: bool = False) -> list[dict]:
    """64-row tiles with 128-column stages for long segments and 16-row ones with 256-column stages for many short
    segments (benchmarks/NOTES.md, entries 35, 38 and 45), and with 128-column stages too where those fit more stages
    in the budget (rank 64: 6 against 3; one_launch._short_tile takes the tile of more stages: entries 219-221); as
    extra tiles 32-row ones (they tied with the launch pair where the taller ones leave SMs idle, entry 31) and the
    16-row ones with 128 columns at the other ranks (where 256 columns won once they had 8 consumer warps, entry 45,
    and at rank 16 still, entry 219). Consumer warps per 16 rows by _prefill_split, the producer warps
    and the walking warp. The tiles of PREFILL_TWO_BLOCK_TILES come twice: one and two blocks an SM. The ranks of
    PREFILL_SHORT_ONLY_RANKS (8) have 16-row tiles only (entries 173-174), those of PREFILL_TALL_ONLY_RANKS (128) the
    64-row tile only (entry 195)."""
    if rank not in PREFILL_RANKS:
        return []
    tiles = []
    narrow_short = (16, 128) if prefill_stages(16, 128, rank) > prefill_stages(16, 256, rank) else None
    shapes = [(64, 128), (16, 256)] + [s for s in ((16, 128), (32, 128)) if extra or s == narrow_short]
    if rank in PREFILL_SHORT_ONLY_RANKS:
        shapes = [(rows, chunk) for rows, chunk in shapes if rows == 16]
    if rank in PREFILL_TALL_ONLY_RANKS:
        shapes = [(rows, chunk) for rows, chunk in shapes if rows == 64]
    for rows, chunk in shapes:
        split = _prefill_split(rows, chunk, rank, prefill_stage_bytes(rows, chunk, rank))
        tiles.append(dict(warps=rows // 16 * split + PREFILL_SUPPORT_WARPS, warp_rows=rows, tile_n=chunk, unroll=1))
        if (rows, rank) in PREFILL_TWO_BLOCK_TILES:
            tiles.append(dict(tiles[-1], blocks_per_sm=2))
    return tiles


def prefill_phase_tiles(rank: int, extra: bool = False) -> list[dict]:
    """The standalone shrink's and expand's halves of the 64-row prefill tile (KernelSpec.phase) at
    PREFILL_PHASE_RANKS: the standalone ops' kernels for tall batches, whose 16- and 32-row tiles read the adapter from
    L2 every 16-32 rows (1.3-4.2x their floor at 512-2048 rows, NOTES.md entry 368)."""
    if rank not in PREFILL_PHASE_RANKS:
        return []
    return [dict(tile, phase=phase) for tile in prefill_tiles(rank) if tile["warp_rows"] == 64
            and tile.get("blocks_per_sm", 1) == 1 for phase in PREFILL_PHASES]


GEMV_RANKS = (8, 16)  # gemv.cuh: a thread's 8 rows of B are one or two 16-byte pieces each
GEMV_CLUSTERS = (2, 4, 8)  # blocks a segment (one_launch_gemv.prefers_gemv picks by the batch's segments)
GEMV_WARPS = 8
GEMV_HALF_CLUSTERS = (4, 8)  # of GEMV_WARPS / 2 warps, two blocks an SM (entries 245-246)
# Ranks also with 4-warp clusters of 2 (one_launch_gemv.GEMV_FALLBACK_MAX_RANK; entry 306).
GEMV_HALF_PAIR_RANKS = (8,)


def gemv_tiles(rank: int, extra: bool = False) -> list[dict]:
    """The gather matrix-vector kernel for one-row segments at GEMV_RANKS (gemv.cuh; benchmarks/NOTES.md, entries
    240-246, 305 and 306): 8 warps, one row a pass, a cluster of GEMV_CLUSTERS blocks a segment, block k computing
    rank / C of v's ranks (on the H200 one wave holds 15 clusters of 8, 30 of 4 and 66 of 2;
    one_launch_gemv.prefers_gemv), and 4-warp clusters of GEMV_HALF_CLUSTERS, whose blocks fit two an SM (at most
    222 registers a thread): 30 clusters of 8 in one wave; at GEMV_HALF_PAIR_RANKS also 4-warp clusters of 2 (132 in
    one wave)."""
    if rank not in GEMV_RANKS:
        return []
    half = GEMV_HALF_CLUSTERS + ((2,) if rank in GEMV_HALF_PAIR_RANKS else ())
    return [dict(warps=w, warp_rows=1, tile_n=rank // c, unroll=1)
            for w, c in [(GEMV_WARPS, c) for c in GEMV_CLUSTERS] + [(GEMV_WARPS // 2, c) for c in half]]


TILES = {"shrink": shrink_tiles, "expand": expand_tiles, "fused": fused_tiles, "prefill": prefill_tiles,
         "gemv": gemv_tiles}


def _make(op: str, dtype: str, rank: int, hidden: int, vectorized: bool, extra: bool,
          true_ranks: bool = False) -> list[KernelSpec]:
    return [KernelSpec(op=op, dtype=dtype, rank=rank, hidden=hidden, vectorized=vectorized, true_ranks=true_ranks,
                       **tile) for tile in TILES[op](rank, extra)]


# Ranks whose shrink has a kernel of any h_in. From benchmarks/NOTES.md, entry 315 (the shrink op at six h_in off
# HIDDEN_SIZES, 1-2048 rows, bf16): against the any-rank kernel (64 ranks a block) ranks 8-32 took 0.58-1.02x its time
# (median 0.74-0.87), rank 64 0.71-1.02x (median 0.99); rank 128's kernel of 128 ranks a block 0.74-1.50x (median 1.10),
# so rank 128 keeps the any-rank kernel's two 64-rank blocks.
SHRINK_ANY_HIDDEN_RANKS = (8, 16, 32, 64)


def default_specs(extra_tiles: bool = False) -> list[KernelSpec]:
    """Specialized kernels for the common shapes, rank-specialized expands of any h_out (for output slices),
    plus generic kernels (any rank and size).

    extra_tiles adds candidate tiles for tuning runs; they are not part of the shipped grid.
    """
    specialized = itertools.chain.from_iterable(
        _make(op, dt, r, h, True, extra_tiles)
        for op, dt, r, h in itertools.product(("shrink", "expand"), DTYPES, RANKS, HIDDEN_SIZES))
    # Rank-specialized kernels of any hidden size: output slices of different h_out (q, k, v) share one expand
    # launch, and an h_in off HIDDEN_SIZES (3584, 18944, ...) runs a shrink of its rank (SHRINK_ANY_HIDDEN_RANKS).
    any_hidden = itertools.chain.from_iterable(
        _make(op, dt, r, ANY, True, extra_tiles)
        for op, dt, r in itertools.product(("shrink", "expand"), DTYPES, RANKS)
        if op == "expand" or r in SHRINK_ANY_HIDDEN_RANKS)
    # add_lora in one launch (small batches): rank-specialized, any h_in and h_out; at FUSED_TRUE_RANKS_RANKS each tile
    # also as the variant for calls whose weights are narrower than its rank.
    fused = itertools.chain.from_iterable(
        _make("fused", dt, r, ANY, True, extra_tiles, true_ranks)
        for dt, r, true_ranks in itertools.product(DTYPES, RANKS, (False, True))
        if not true_ranks or r in FUSED_TRUE_RANKS_RANKS)
    # add_lora in one launch for long segments (prefill): rank-specialized, any h_in and h_out; each tile also as
    # the variant for calls with true ranks.
    prefill = itertools.chain.from_iterable(
        _make("prefill", dt, r, ANY, True, extra_tiles, true_ranks)
        for dt, r, true_ranks in itertools.product(DTYPES, RANKS, (False, True)))
    # The standalone shrink and expand on tall batches: the 64-row prefill tile's halves (prefill_phase_tiles).
    phases = (KernelSpec(op="prefill", dtype=dt, rank=r, hidden=ANY, vectorized=True, **tile)
              for dt, r in itertools.product(DTYPES, RANKS) for tile in prefill_phase_tiles(r, extra_tiles))
    # add_lora in one launch for one-row segments (gemv): rank-specialized, any h_in and h_out.
    gemv = itertools.chain.from_iterable(
        _make("gemv", dt, r, ANY, True, extra_tiles) for dt, r in itertools.product(DTYPES, RANKS))
    generic = itertools.chain.from_iterable(
        _make(op, dt, ANY, ANY, vec, extra_tiles)
        for op, dt, vec in itertools.product(("shrink", "expand"), DTYPES, (True, False)))
    return prune(itertools.chain(specialized, any_hidden, fused, prefill, phases, gemv, generic))


def prune(specs: Iterable[KernelSpec]) -> list[KernelSpec]:
    out: list[KernelSpec] = []
    for spec in specs:
        if all(pred(spec) for pred in PREDICATES):
            out.append(spec)
    return out


def filter_specs(specs: Iterable[KernelSpec], pattern: str | None) -> Iterator[KernelSpec]:
    """Keep specs whose name matches any of the ';' or ','-separated globs (None or '' keeps all)."""
    globs = [g for g in (pattern or "").replace(",", ";").split(";") if g.strip()]
    for spec in specs:
        if not globs or any(fnmatch.fnmatchcase(spec.name, g.strip()) for g in globs):
            yield spec
