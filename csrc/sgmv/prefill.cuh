// SGMV add_lora for long segments (prefill) in one launch:
//   y[rows of s] += scale_s * (x[rows of s] @ A[l_s]^T) @ B[l_s]^T.
//
// Row tiles of kRows = 16 kGroups rows are numbered over the whole batch (a segment's tiles, segment after segment;
// segments without an adapter or rows have none), and block b takes tiles b, b + gridDim.x, ... (the grid is at most
// what the SMs hold at once). A warp of its own (the walking warp, the block's last) finds each tile's segment in
// the tables (TileWalk, tile_walk.cuh) and hands it to the block's other warps through shared memory (publish_tile /
// next_tile). For each tile the block streams, through kStages shared-memory stages, first x and A in
// kStreamChunk-wide chunks of h_in (the shrink), then y and B in kStreamChunk-column chunks of h_out (the expand).
// kProducers warps issue every copy (cp.async, 16 bytes a lane), and each of their lanes arrives on the stage's
// barrier when its copies have landed. kSplit consumer warps own each 16-row group: in the shrink they take every
// kSplit-th 16-wide step of every chunk and, after the tile's last chunk, sum their partial v through that stage's
// shared memory, so all hold the group's v (every rank, float32) in registers; in the expand they take every
// kSplit-th 32-column group of every chunk. No v in global memory. Each lane's accumulators cover 8 consecutive
// columns of y (B's rows are staged in the MMA's interleaved order, weight_slot, their 16-byte pieces swizzled,
// weight_at), so it reads y from the stage and stores y + scale * v @ B^T in 16-byte vectors. In sm_90a builds
// the 64-row tile's shrink at ranks 16-128 runs as warpgroup MMAs (wgmma, shrink_warpgroup, warpgroup_mma.cuh): each
// warpgroup of consumers holds the partial v of all 64 rows (a warp a group) over its steps of every stage, x and A
// read in place (staged with the 128-byte swizzle, shrink_offset; NOTES entries 106 and 108); its expand too
// (expand_warpgroup; ranks 32 and 64 since entry 60, 16 since entry 110, 128 since entry 195): each warpgroup takes
// 64 adjacent columns of every stage, B read in place (weight_at is the wgmma swizzle of B's rows), and y's rows
// are staged in whole 128-byte lines (row_offset, entries 114 and 115). At rank 128 a group's kSplit partial tiles
// of v are summed in two rounds of half the rank (sum_parts: together they exceed a stage).
// Clusters: the blocks of a thread-block cluster of two, or four or eight for the 64-row tile (grid y, blockIdx.y its
// rank), share every tile of the cluster (tiles blockIdx.x, blockIdx.x + gridDim.x, ...): each streams its share of
// h_in's chunks and of h_out's, and they swap their partial v through distributed shared memory in between
// (swap_partials, pairwise, in one to three rounds), so a batch with a row tile for half (a quarter, an eighth) of the
// SMs keeps them all busy at that share of the bytes each. A cluster of one streams both whole.
// Why: every prefill kernel of the launch pair ran one wave of few warps at 42-60% of DRAM bandwidth, each
// thread copying its own 16-byte pieces (benchmarks/NOTES.md, entries 29 and 31).
// Rank 8 (the 16-row tile only, kRank8): the shrink's one n-tile of A is an ldmatrix of its 8 rows, and the expand
// multiplies v's one 8-wide step as m16n8k8 MMAs, B's rows one 16-byte piece each, so a tile issues half the copies
// of rank 16's (which ran rank 8 before, its copies past the true rank zero-filled; NOTES.md, entries 170-173).
// Needs sm_90 (the barriers' waits), 16-byte aligned rows, h_in a multiple of 16, a rank that is a multiple of
// 16 (or 8 with 16-row tiles), one output slice, and per-adapter ranks only in the kTrueRanks variant (dispatch).
// Slices: p.slices[0] is the shrink's (lora_a, h_in), p.slices[1] the expand's (lora_b, h_out, y_col), as for the
// fused kernel.
#pragma once
#include <type_traits>

#include <cooperative_groups.h>
#include <cute/arch/cluster_sm90.hpp>
#include <cute/arch/copy_sm75.hpp>
#include <cute/arch/copy_sm80.hpp>
#include <cute/arch/mma_sm90_desc.hpp>
#include <cutlass/arch/barrier.h>

#include "fragments.cuh"
#include "overlap.cuh"
#include "probe_waits.cuh"
#include "segments.cuh"
#include "tile_walk.cuh"
#include "warpgroup_mma.cuh"

namespace sgmv {

// kTrueRanks (codegen's KernelSpec.true_ranks; dispatch runs it only for calls with p.ranks): the producers copy
// only what lies within a tile's true rank, A's rows below it and B's columns below it, and zero-fill the rest in
// the stages (cp.async's source size: the padding is not read, and whatever it holds, NaN included, multiplies
// nothing); a segment of rank 0 has no tiles. Without it every adapter is computed at kRank: the sizes on the copies
// cost the calls without ranks 1-4% (benchmarks/NOTES.md, entry 98), so those run a kernel without them.
// What a prefill kernel computes (its template's kPhase; codegen's KernelSpec.phase): add_lora whole, or one of its
// two halves for the standalone ops on tall batches (NOTES.md, entry 368), with the same tiles, stages and clusters:
// kPhaseShrink streams x and A and stores v = scale * x @ A^T (float32, [rows][ld_y] at p.y from column
// slices[0].v_col; no expand), kPhaseExpand reads v (float32 at p.x, rows ld_x apart, from column slices[1].v_col) in
// place of the shrink and streams y and B as add_lora does (no shrink, no swap: a cluster's blocks split h_out only).
constexpr int kPhaseBoth = 0;
constexpr int kPhaseShrink = 1;
constexpr int kPhaseExpand = 2;

template <class T, int kRank, int kGroups, int kSplit, int kStreamChunk, int kStages, int kProducers, bool kTrueRanks,
          int kPhase = kPhaseBoth>
struct PrefillTile {
  static_assert(kPhase == kPhaseBoth || (!kTrueRanks && kGroups == 4),
                "the standalone halves: the 64-row tile, every adapter at the full rank");
  static constexpr bool kShrinks = kPhase != kPhaseExpand;  // streams x and A
  static constexpr bool kExpands = kPhase != kPhaseShrink;  // streams y and B
  using Info = std::conditional_t<kTrueRanks, RankedTileInfo, TileInfo>;  // a handed-over tile
  static constexpr int kRows = 16 * kGroups;  // groups of 16 rows, kSplit consumer warps each
  static constexpr int kConsumers = kSplit * kGroups;
  // Blocks sharing a tile (dispatch: one_launch.prefill_max_cluster): 8 for the 64-row tile, whose few tiles of a
  // mid-size batch leave most SMs idle in clusters of 2 (benchmarks/NOTES.md, entries 319 and 327), 2 for the 16-row
  // tile (clusters of 8 lost there, entry 36). Their partial v is summed in kSwapRounds rounds of pairwise swaps
  // (swap_partials).
  static constexpr int kMaxCluster = kGroups == 4 ? 8 : 2;
  static constexpr int kSwapRounds = kMaxCluster == 8 ? 3 : kMaxCluster == 4 ? 2 : 1;
  static constexpr int kThreads = 32 * (kConsumers + kProducers + 1);  // the consumers, the producers, the walker
  // Bytes a staged row of x or y keeps: row_offset packs the rows in their first 2 kStreamChunk and the swizzle
  // avoids the bank conflicts (entries 114 and 115); the 16 more, unused, keep the stage sizes of codegen's
  // prefill_stage_bytes below rank 128 (their stage counts were measured with them), while rank 128's stages drop
  // them and fit a fourth (codegen's PREFILL_UNPADDED_RANKS; entry 198)
  static constexpr int kRowPitch = 2 * kStreamChunk + (kRank == 128 ? 0 : 16);
  static constexpr int kWeightPitch = 2 * kRank;  // bytes per staged row of B (h_out row, every rank), unpadded:
  // its 16-byte pieces are swizzled instead (piece_of), so a stage holds B in 2/3 of the bytes at rank 16 and the
  // stages in flight go from 10 to 13 (benchmarks/NOTES.md, entry 45)
  static constexpr int kWeightPieces = kRank / 8;  // 16-byte pieces of a staged row of B
  // Bytes from one staged row (slot) of B to the next: the row itself up to rank 64; above, a row's pieces lie in
  // 128-byte halves of the weights' area (weight_at), so the next slot's are 128 bytes on in each half
  static constexpr int kSlotBytes = kWeightPieces <= 8 ? kWeightPitch : 128;
  static constexpr int kWeightBytes =
      kRank * kRowPitch > kStreamChunk * kWeightPitch ? kRank * kRowPitch : kStreamChunk * kWeightPitch;
  // The ranks whose 64-row tile runs its shrink as warpgroup MMAs (an m64n-kRank MMA a step; kWarpgroupShrink)
  static constexpr bool kWarpgroupRank = kRank == 16 || kRank == 32 || kRank == 64 || kRank == 128;
  // Rows of x or y, then A or B; in whole 1024 bytes for the 64-row tile at those ranks (kWarpgroupShrink's A is in
  // 128-byte swizzle atoms; in every build, so codegen's `_prefill_stage_bytes` knows one layout a kernel)
  static constexpr int kStageAlign = kRows == 64 && kWarpgroupRank ? 1024 : 16;
  static constexpr int kStageBytes = (kRows * kRowPitch + kWeightBytes + kStageAlign - 1) / kStageAlign * kStageAlign;
  static constexpr int kNTiles = kRank / 8;
  static constexpr bool kRank8 = kRank == 8;  // v is one 8-wide step: the m16n8k8 expand (16-row tiles only)
  static constexpr int kRankSteps = kRank8 ? 1 : kRank / 16;  // v's steps in the expand: 16 wide, or rank 8's one
  // The expand as warpgroup MMAs (wgmma; sm_90a builds only) where one m64n64 MMA fits a consumer share: a 64-row
  // tile (a warpgroup's 4 warps hold its rows) whose kSplit shares of a stage are 64 columns each (codegen gives the
  // 64-row tile kSplit 2 at every rank: ranks 16, 32 and 64 with the 32-, 64- and 128-byte swizzles; entry 110).
#if defined(CUTE_ARCH_MMA_SM90A_ENABLED)
  static constexpr bool kWarpgroupExpand = kRows == 64 && kStreamChunk / kSplit == 64;
#else
  static constexpr bool kWarpgroupExpand = false;
#endif
  // The 64-row tile's shrink as warpgroup MMAs too (sm_90a builds), at ranks 16-128 (an m64n-kRank MMA a step): the
  // four warps of each warpgroup hold the tile's four 16-row groups, and each warpgroup takes its kShrinkSteps
  // 16-wide steps of a chunk with x and A read in place, both staged as K-major rows in 64-column halves of 128
  // bytes with the 128-byte swizzle (shrink_offset; NOTES entries 106 and 108).
#if defined(CUTE_ARCH_MMA_SM90A_ENABLED)
  static constexpr bool kWarpgroupShrink =
      kRows == 64 && kWarpgroupRank && kStreamChunk % 64 == 0;
#else
  static constexpr bool kWarpgroupShrink = false;
#endif
  static constexpr int kShrinkSteps = kStreamChunk / 16 / kSplit;  // a consumer warp's 16-wide steps of a chunk
  static constexpr int kColGroups = kStreamChunk / 32 / kSplit;  // a consumer warp's 32-column groups of a chunk
  static_assert((kRank % 16 == 0 && kRank > 0) || (kRank8 && kRows == 16),
                "the expand multiplies v in 16-wide steps of the rank, or rank 8's one 8-wide step (mma.sync only)");
  static_assert(kStreamChunk == 128 || kStreamChunk == 256, "a row piece is 16 or 32 lanes' 16-byte pieces");
  static_assert(kStreamChunk / 32 % kSplit == 0, "the consumer warps of a group share a chunk's 32-column groups");
  static_assert(kWeightPieces <= 8 || kWeightPieces == 16,
                "weight_at spreads 8 consecutive rows of B over the 8 16-byte bank groups");
  static_assert(!kWarpgroupShrink || (2 * kStreamChunk * kRank <= kWeightBytes && 2 * kStreamChunk <= kRowPitch),
                "x's and A's swizzled rows fit the stage");

  // Where piece `piece` of staged row `slot` of B lies in the row: the ldmatrix of the expand reads one piece of 8
  // consecutive slots, which this XOR spreads over all 8 16-byte bank groups (the slot's 8 / kWeightPieces-row
  // group, mod kWeightPieces, flips the piece), so they take one shared-memory wavefront as with padded rows.
  __device__ static constexpr int piece_of(int slot, int piece) {
    return piece ^ (slot / (kWeightPieces < 8 ? 8 / kWeightPieces : 1) % kWeightPieces);
  }

  // The byte of 16-byte piece `piece` of staged row `slot` of B in a stage whose weights start at byte `weights`: up
  // to rank 64 the row's pieces in turn, piece_of's swizzle; above (rank 128: 16 pieces) in two 128-byte halves of
  // kStreamChunk rows each, piece / 8 the half and piece % 8 XORed by the slot mod 8 (shrink_offset's layout:
  // wgmma's 128-byte swizzle of K-major rows, whose 8-row atoms the expand's descriptors step through, and what
  // spreads an ldmatrix of 8 consecutive slots over the 8 bank groups). (`weights` inside: the sums keep the
  // association the code had before rank 128, and with it the SASS of every other rank's kernels.)
  __device__ static constexpr int weight_at(int weights, int slot, int piece) {
    if constexpr (kWeightPieces <= 8) {
      return weights + slot * kWeightPitch + 16 * piece_of(slot, piece);
    } else {
      return weights + shrink_offset<kStreamChunk>(slot, piece);
    }
  }

  // kWarpgroupShrink: the byte of a stage's x area (kHalfRows = kRows) or A area (kRank) where 16-byte piece
  // `piece` of staged row `row` lies: 64 columns of h_in (128 bytes) a row in each half of kHalfRows rows, pieces
  // XORed by the row mod 8 (the 128-byte swizzle, of the address: both areas start on multiples of 1024 bytes).
  template <int kHalfRows>
  __device__ static constexpr int shrink_offset(int row, int piece) {
    return piece / 8 * (kHalfRows * 128) + row * 128 + 16 * (piece % 8 ^ row % 8);
  }

  // The byte of a stage (from its first row, or from A's at kRows kRowPitch) where column `col` (a multiple of 8)
  // of staged row `row` of x, A or y lies (but kWarpgroupShrink's x and A: shrink_offset). Rows unpadded (2
  // kStreamChunk of the kRowPitch bytes each keeps), each 16-byte piece XORed within its 128-byte line by
  // row_swizzle: 8 consecutive rows fall on the 8 16-byte bank groups (the shrink's ldmatrix of x and A), rows 2 q
  // and 2 q + 1 on opposite halves (update_y's two rows of 4 pieces a phase), and each producer phase fills one line
  // (a padded row's 16-byte shift split every line's copies in two: ncu's excess global sectors, NOTES entries 114
  // and 115). Both swizzles go by the row mod 8, which a producer lane's rows share (produce).
  __device__ static constexpr int row_swizzle(int row) { return 4 * (row % 2) + row / 2 % 4; }
  __device__ static constexpr int row_offset(int row, int col) {
    return row * 2 * kStreamChunk + 16 * (col / 8 ^ row_swizzle(row));
  }

  static constexpr int kTileSlots = 2;  // tiles the walking warp may hand over ahead of the slowest reader
  static constexpr int kTileReaders = 32 * (kConsumers + kProducers);  // threads that read each handed-over tile

  struct SharedStorage {
    alignas(16) unsigned char stage[kStages][kStageBytes];
    float4 partner[kGroups][kNTiles][32];  // the cluster partner's partial v of the tile, as its lanes hold it
    Info tiles[kTileSlots];  // the tiles handed over, tile n of the block in slot n % kTileSlots
    uint64_t full[kStages];   // the stage's copies have landed (an arrival per producer lane, from cp.async)
    uint64_t empty[kStages];  // every consumer lane is done with the stage
    uint64_t tile_full[kTileSlots];   // the slot holds the next tile (the walking warp's arrival)
    uint64_t tile_empty[kTileSlots];  // every reader thread has taken the slot's tile
    uint64_t partner_landed;  // the partner's partial v has landed (this block's arrival and the partner's bytes)
    uint64_t partner_read[kSwapRounds];  // by round: every consumer warp of the block this one pushes to in that
                                         // round has read what was last pushed into its slots
  };

  using Barrier = cutlass::arch::ClusterBarrier;  // mbarrier: init, arrive, parity wait
  using TxBarrier = cutlass::arch::ClusterTransactionBarrier;

  // Stage `it % kStages` in the stream of chunks, and the parity of its use number it / kStages.
  __device__ static int stage_of(int it) { return it % kStages; }
  __device__ static uint32_t parity_of(int it) { return (it / kStages) & 1; }

  // This block's share [begin, end) of `total` columns (h_in or h_out) in whole chunks, as block `me` of a cluster
  // of `blocks`; empty when the chunks are fewer than the blocks.
  __device__ static void share(int total, int me, int blocks, int& begin, int& end) {
    const int chunks = (total + kStreamChunk - 1) / kStreamChunk;
    begin = min(total, chunks * me / blocks * kStreamChunk);
    end = min(total, chunks * (me + 1) / blocks * kStreamChunk);
  }

  // The walking warp: finds the block's tile number n (tile blockIdx.x + n gridDim.x) with `walk` and hands it over
  // in slot n % kTileSlots, once every reader has taken what that slot held before. The arrival releases the slot's
  // stores to the readers, whose wait acquires them. Returns the tile (rows 0: none).
  // Before, every warp walked the tables itself: the walk (an L2 round trip per 32 segments) was a fifth of the
  // consumer warps' samples with 256 one-row segments, and their last walk, which only finds that no tile is left,
  // came after their last stage (benchmarks/NOTES.md, entry 45). Then the first producer warp walked, between its
  // copies: under the stream's load a round trip took ~1500 cycles, and a stage probe showed the consumers starved
  // ~6000 cycles at each new tile of 256 one-row segments while it walked (entry 46). A warp of its own walks up to
  // kTileSlots tiles ahead of the readers, off every copy's path.
  // Tile number `tile` (rows 0: none left), as the walk finds it.
  __device__ static Info tile_info(const SgmvParams& p, TileWalk<kRows, kTrueRanks>& walk, int tile) {
    if constexpr (kTrueRanks) {
      RankedTileInfo info{};
      if (walk.seek(p, tile)) {
        info = RankedTileInfo{{walk.row0(tile), walk.rows(tile), walk.seg.lora, walk.seg.scale},
                              adapter_rank(p, walk.seg.lora, kRank)};
      }
      return info;
    } else {
      TileInfo info{0, 0, 0, 0.0f};
      if (walk.seek(p, tile)) info = TileInfo{walk.row0(tile), walk.rows(tile), walk.seg.lora, walk.seg.scale};
      return info;
    }
  }

  __device__ static Info publish_tile(const SgmvParams& p, SharedStorage& smem, TileWalk<kRows, kTrueRanks>& walk,
                                      int n) {
    const int tile = blockIdx.x + n * gridDim.x;
    const Info info = tile_info(p, walk, tile);
    const int slot = n % kTileSlots;
    stamp_wait(kWaitFreeSlot, 0, n);
    Barrier::wait(&smem.tile_empty[slot], ((n / kTileSlots) & 1) ^ 1);  // the first use of a slot passes at once
    if (threadIdx.x % 32 == 0) {
      smem.tiles[slot] = info;
      asm volatile("" ::: "memory");  // the store stays before the arrival (CUTLASS's asm names no memory)
      Barrier::arrive(&smem.tile_full[slot]);
    }
    return info;
  }

  // A reader warp (the consumers and the producers): the block's tile number n, from the walking warp.
  __device__ static Info next_tile(SharedStorage& smem, int n) {
    const int slot = n % kTileSlots;
    stamp_wait(kWaitTile, 0, n);
    Barrier::wait(&smem.tile_full[slot], (n / kTileSlots) & 1);
    asm volatile("" ::: "memory");  // the load stays after the wait
    const Info info = smem.tiles[slot];
    // Every lane arrives (an arrival releases the arriving thread's read only, as for the stages): with one arrival
    // a warp after __syncwarp, racecheck reported the walking warp's next write to the slot as a race with the
    // other lanes' reads (entry 46).
    Barrier::arrive(&smem.tile_empty[slot]);
    return info;
  }

  // The walking warp's whole work: hands over the block's tiles in order, then the end (a tile of no rows).
  __device__ static void walk_tiles(const SgmvParams& p, SharedStorage& smem) {
    TileWalk<kRows, kTrueRanks> walk;
    for (int n = 0; publish_tile(p, smem, walk, n).rows != 0; ++n) {
    }
    stamp_wait(kWaitDone, 0, 0);
  }

  // Producer warp `pw` of kProducers: for every tile of the block, the shrink's chunks (kRows rows of x and kRank
  // rows of A) then the expand's (kRows rows of y and up to kStreamChunk rows of B), each into the next free
  // stage, with cp.async: 16 bytes a lane, so one warp instruction moves 512 bytes, a 128-byte line of each of 4
  // rows of x, A or y (entry 115). Each lane's copies arrive on the stage's barrier when they have landed (32
  // kProducers arrivals complete it). Every lane keeps a pointer per row of x and y it copies (A's rows: 32-bit
  // offsets from one) and advances it a chunk at a time: computing each piece's address cost ~200 instructions a
  // stage, which bound the kernel, as did a bulk copy per row piece (entry 31).
  // (prefill_produce.cuh)
  __device__ static void produce(const SgmvParams& p, SharedStorage& smem, int pw, int me, int blocks);

  // The stage slot of B's row n of a chunk: within each 32-row group, row 8 q + 2 j + e goes to 8 j + 2 q + e, so
  // n-tile j of the MMA reads 8 consecutive slots and lane (g, t) accumulates columns 8 t + [0, 8) of the group.
  __device__ static constexpr int weight_slot(int n) {
    return (n & ~31) | (((n >> 1) & 3) << 3) | (((n >> 3) & 3) << 1) | (n & 1);
  }

  // Consumer warp cw's 16-row group and its share of each stage. With warpgroup MMAs the four warps of a warpgroup
  // hold the tile's four groups (rows 0..63) and take one share; else a group's kSplit warps are adjacent.
  static constexpr bool kWarpgroups = kWarpgroupExpand || kWarpgroupShrink;
  __device__ static constexpr int group_of(int cw) { return kWarpgroups ? cw % kGroups : cw / kSplit; }
  __device__ static constexpr int part_of(int cw) { return kWarpgroups ? cw / kGroups : cw % kSplit; }
  // The first column of consumer share `part`'s i-th 32-column group of a chunk: the warpgroup expand's share is
  // 64 adjacent columns, the mma.sync expand's every kSplit-th group.
  __device__ static constexpr int col_group(int i, int part) {
    return kWarpgroupExpand ? 32 * (kColGroups * part + i) : 32 * (kSplit * i + part);
  }

  // The wgmma descriptor of K-major rows of kPitch bytes (128, 64 or 32) from shared-memory address `addr` (a row
  // of the operand's first 8-row atom, plus the 16-wide step's 32 bytes), their 16-byte pieces swizzled as that row
  // width's wgmma swizzle does, 8-row atoms kPitch x 8 bytes apart (stride_byte_offset): staged B (weight_at's
  // swizzle at kSlotBytes) and, with kWarpgroupShrink, each 128-byte half of staged x and A (shrink_offset).
  template <int kPitch>
  __device__ static uint64_t swizzled_desc(uint32_t addr) {
    static_assert(kPitch == 128 || kPitch == 64 || kPitch == 32, "a wgmma swizzle's row width");
    static_assert((kRows * kRowPitch) % (8 * kPitch) == 0 && kStageBytes % (8 * kPitch) == 0,
                  "every stage's weights start on a swizzle atom");
    cute::GmmaDescriptor desc;
    desc.bitfield.start_address_ = static_cast<uint16_t>(addr >> 4);
    desc.bitfield.leading_byte_offset_ = 1;  // unused by the swizzled K-major layouts
    desc.bitfield.stride_byte_offset_ = static_cast<uint16_t>(8 * kPitch >> 4);
    desc.bitfield.base_offset_ = 0;
    desc.bitfield.layout_type_ = kPitch == 128 ? 1 : kPitch == 64 ? 2 : 3;  // 128B, 64B, 32B swizzle
    return desc.desc_;
  }

  // Every consumer warp waits here (named barrier 1; barrier 0 is __syncthreads).
  __device__ static void consumers_sync() {
    asm volatile("bar.sync 1, %0;" :: "n"(kConsumers * 32) : "memory");
  }

  // The standalone expand (kPhaseExpand): this lane's v of its group's rows first_row + g and + 8 (zero from
  // tile_end on) as the shrink's accumulators hold it (n-tile j: ranks 8 j + 2 t and + 1), read from slices[1].v_col.
  __device__ static void load_v(const SgmvParams& p, int first_row, int tile_end, float (&acc)[kNTiles][4]) {
    const int lane = threadIdx.x % 32;
    const float* v = static_cast<const float*>(p.x) + p.slices[1].v_col + 2 * (lane % 4);
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = first_row + lane / 4 + 8 * h;
      const float* src = row < tile_end ? v + physical_row(p, row) * p.ld_x : nullptr;
#pragma unroll
      for (int j = 0; j < kNTiles; ++j) {
        const float2 f = src != nullptr ? *reinterpret_cast<const float2*>(src + 8 * j) : make_float2(0.f, 0.f);
        acc[j][2 * h] = f.x;
        acc[j][2 * h + 1] = f.y;
      }
    }
  }

  // The standalone shrink (kPhaseShrink): stores scale * v of this lane's rows of its group (acc, the group's whole
  // sum, which each of the `writers` consumer warps of the group in the cluster holds alike) from slices[0].v_col, the
  // warp numbered `writer` its every writers-th n-tile.
  __device__ static void store_v(const SgmvParams& p, int first_row, int tile_end, float scale, int writer,
                                 int writers, const float (&acc)[kNTiles][4]) {
    const int lane = threadIdx.x % 32;
    float* v = static_cast<float*>(p.y) + p.slices[0].v_col + 2 * (lane % 4);
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = first_row + lane / 4 + 8 * h;
      if (row >= tile_end) continue;
      float* dst = v + physical_row(p, row) * p.ld_y;
#pragma unroll
      for (int j = 0; j < kNTiles; ++j)
        if (j % writers == writer)
          *reinterpret_cast<float2*>(dst + 8 * j) = make_float2(scale * acc[j][2 * h], scale * acc[j][2 * h + 1]);
    }
  }

  // Consumer warp `cw`: rows 16 (cw / kSplit) .. + 16 of every tile of the block (its group), a kSplit-th of
  // each chunk of the block's share of h_in and h_out. Defined in prefill_consume.cuh.
  __device__ static void consume(const SgmvParams& p, SharedStorage& smem, int cw, int me, int blocks);

  // One shrink stage as warpgroup MMAs (kWarpgroupShrink): the warpgroup's steps kSplit i + part of the chunk (all
  // of them: a narrower last chunk is zero past h_in, `produce`), x's 64 x 16 step times A's 16 x kRank step, both
  // read in place, into acc (the m64n-kRank accumulators: mma.sync's layout of this warp's 16 rows). Issues and
  // commits them; the caller waits before it releases the stage (or sums over it, sum_parts).
  __device__ static void shrink_warpgroup(const unsigned char* stage, int part, float (&acc)[kNTiles][4]) {
    const uint32_t x0 = cute::cast_smem_ptr_to_uint(stage);
    const uint32_t a0 = x0 + kRows * kRowPitch;
#pragma unroll
    for (int j = 0; j < kNTiles; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) cute::warpgroup_fence_operand(acc[j][e]);
    cute::warpgroup_arrive();
#pragma unroll
    for (int i = 0; i < kShrinkSteps; ++i) {
      const int ks = kSplit * i + part;
      const int step = 32 * (ks % 4);  // bytes into the step's half
      wgmma_64xNx16<T, kRank>(acc, swizzled_desc<128>(x0 + shrink_offset<kRows>(0, 8 * (ks / 4)) + step),
                              swizzled_desc<128>(a0 + shrink_offset<kRank>(0, 8 * (ks / 4)) + step));
    }
    cute::warpgroup_commit_batch();
  }

  // One expand stage as warpgroup MMAs (kWarpgroupExpand): the warpgroup's 64 slots of B (64 part ..), every rank
  // step, v's hi then lo half into one accumulator. Slot j holds column weight_slot(j), so lane (g, t) ends with
  // columns col_group(i, part) + 8 t .. + 8 of its rows g and g + 8 for each of its two 32-column groups i, as in
  // the mma.sync expand, and updates y with the same update_y. Splitting a stage into two pipelined 32-column halves,
  // so the y updates run under the next MMAs, was slower (NOTES.md, entry 203): the block's two warpgroups already
  // overlap one's updates with the other's MMAs.
  __device__ static void expand_warpgroup(const unsigned char* stage, int part, int cols, int n0,
                                          const uint32_t (&y_off)[kColGroups][2], uint16_t* const (&out_rows)[2],
                                          const uint32_t (&v_hi)[kRankSteps][4], const uint32_t (&v_lo)[kRankSteps][4],
                                          float scale) {
    if (col_group(0, part) >= cols) return;  // the same for the warpgroup's four warps
    const int t = threadIdx.x % 4;
    float d[8][4];
    zero_fill(d);
    const uint32_t b0 = cute::cast_smem_ptr_to_uint(stage + kRows * kRowPitch) + col_group(0, part) * kSlotBytes;
#pragma unroll
    for (int j = 0; j < 8; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) cute::warpgroup_fence_operand(d[j][e]);
    cute::warpgroup_arrive();
#pragma unroll
    for (int ks = 0; ks < kRank / 16; ++ks) {
      const uint64_t desc = swizzled_desc<kSlotBytes>(b0 + weight_at(0, 0, 2 * ks));  // the step's 16 ranks
      wgmma_64xNx16<T, 64>(d, v_hi[ks], desc);
      wgmma_64xNx16<T, 64>(d, v_lo[ks], desc);
    }
    cute::warpgroup_commit_batch();
    cute::warpgroup_wait<0>();
#pragma unroll
    for (int j = 0; j < 8; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) cute::warpgroup_fence_operand(d[j][e]);
#pragma unroll
    for (int i = 0; i < kColGroups; ++i) {
      const int col = col_group(i, part) + 8 * t;
      if (col >= cols) continue;
      update_y(stage, y_off[i], out_rows, n0, col, scale, [&](int j, int k) { return d[4 * i + j][k]; });
    }
  }

  // y += scale * acc for this lane's 8 consecutive columns n0 + col (chunk n0's) of its rows g
  // (h = 0) and g + 8 (h = 1), read from the stage at y_off[h] and stored as one 16-byte vector a row; acc(j, 2 h + e)
  // is column col + 2 j + e of row h (the accumulators of n-tile j, mma.sync's or wgmma's: the same layout).
  template <class Acc>
  __device__ __forceinline__ static void update_y(const unsigned char* stage, const uint32_t (&y_off)[2],
                                                  uint16_t* const (&out_rows)[2], int n0, int col, float scale,
                                                  Acc acc) {
    using Traits = ElementTraits<T>;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      if (out_rows[h] == nullptr) continue;
      const uint4 cur = *reinterpret_cast<const uint4*>(stage + y_off[h]);
      const uint32_t in[4] = {cur.x, cur.y, cur.z, cur.w};
      uint32_t res[4];
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const float2 f = Traits::unpack(in[j]);
        res[j] = Traits::pack(f.x + scale * acc(j, 2 * h), f.y + scale * acc(j, 2 * h + 1));
      }
      *reinterpret_cast<uint4*>(out_rows[h] + n0 + col) = make_uint4(res[0], res[1], res[2], res[3]);
    }
  }

  // After the last shrink chunk of the block's share (stage memory `stage`, still held by every consumer warp):
  // the kSplit warps of each group exchange their partial v through the stage and all end with the same sum
  // (added in part order, whichever warp adds). Where every warp's whole partial v exceeds a stage (rank 128's
  // 64-row tile) in kRounds rounds of kNTiles / kRounds n-tiles, the stage reused after every warp's last reads.
  __device__ static void sum_parts(unsigned char* stage, int group, int part, float (&acc)[kNTiles][4]) {
    constexpr int kPartialBytes = 16 * kRank * 4;
    constexpr int kRounds = (kConsumers * kPartialBytes + kStageBytes - 1) / kStageBytes;
    constexpr int kRoundTiles = kNTiles / kRounds;  // a warp's n-tiles in each round
    static_assert(kNTiles % kRounds == 0 && kConsumers * (kPartialBytes / kRounds) <= kStageBytes,
                  "every warp's share of a round's partial v fits one stage");
    const int lane = threadIdx.x % 32;
    float4* slots = reinterpret_cast<float4*>(stage + kSplit * group * (kPartialBytes / kRounds)) + lane;
#pragma unroll
    for (int r = 0; r < kRounds; ++r) {
      stamp_wait(kWaitPartsFirst, r, 0);
      consumers_sync();  // every warp has read the chunk (after the first round: the last round's slots)
#pragma unroll
      for (int nt = 0; nt < kRoundTiles; ++nt) {
        const float(&mine)[4] = acc[r * kRoundTiles + nt];
        slots[(part * kRoundTiles + nt) * 32] = make_float4(mine[0], mine[1], mine[2], mine[3]);
      }
      stamp_wait(kWaitPartsSecond, r, 0);
      consumers_sync();
#pragma unroll
      for (int nt = 0; nt < kRoundTiles; ++nt) {
        float4 sum = slots[nt * 32];
#pragma unroll
        for (int q = 1; q < kSplit; ++q) {
          const float4 o = slots[(q * kRoundTiles + nt) * 32];
          sum.x += o.x; sum.y += o.y; sum.z += o.z; sum.w += o.w;
        }
        float(&out)[4] = acc[r * kRoundTiles + nt];
        out[0] = sum.x; out[1] = sum.y; out[2] = sum.z; out[3] = sum.w;
      }
    }
  }

  // A cluster of two, or four or eight (the 64-row tile's, kSwapRounds 3): after the tile's shrink each block holds v
  // over its share of h_in, and pairwise swaps (a butterfly: in round r the partner is block me ^ 2^r; one round for
  // two blocks, two for four, three for eight) leave every block the sum. In a swap the kSplit warps of a group push
  // its n-tiles (every kSplit-th each) into the partner's `partner` slots with st.async, completing on the partner's
  // `partner_landed`; then each adds what the partner pushed (a pair's sum after round 0, the cluster's after the last:
  // every block the same sum, float addition being commutative) and tells the block that next pushes into its slots
  // that they are free again: an arrival on that block's `partner_read` of the round it pushes in (`next_writer`,
  // `next_round`: the partner itself for two blocks; for four, block me ^ 2 after round 0 and round 0's partner, for
  // the next tile, after round 1; for eight, me ^ 2 after round 0, me ^ 4 after round 1, round 0's partner after round
  // 2), which that block waits for before it pushes. Each such barrier so hears from one block only, in order. The
  // arrival needs no release fence: the slots' values are consumed before it (a cluster-scope release compiles to
  // MEMBAR.ALL.GPU, as in fused.cuh). The push waits for the phase of `partner_read[round]` of parity read_parity ^ 1,
  // the one that completes when the partner has read what was last pushed into its slots: the partner's read of this
  // round's push of the previous tile in round 0 (read_parity: the tiles swapped before, mod 2; the first tile waits
  // for nothing), of this tile's round r - 1 in round r > 0 (read_parity: one more). The first tile's round 1 must wait
  // too: a block that did not would overwrite round 0's sums before the partner read them (it hung so, NOTES.md entry
  // 319). `landed_parity`: the number of swaps (every round) before this one, mod 2.
  __device__ static void swap_partials(SharedStorage& smem, int group, int part, uint32_t partner, int round,
                                       uint32_t read_parity, uint32_t landed_parity, uint32_t next_writer,
                                       int next_round, float (&acc)[kNTiles][4]) {
    const int lane = threadIdx.x % 32;
    // Only a warp that pushes waits for the partner to have read its last push (the first swap passes at once). A
    // warp that pushes nothing (part >= kNTiles: rank 8's kSplit - 1 of every kSplit) must not: the partner may read
    // this swap's pushes, completing the barrier's next phase, before such a warp reaches its wait; its parity
    // wait then takes the phase after the one it is for, and at the block's last swap waits for one that never
    // completes (rank 8's 16-row tile hung so, NOTES.md entry 174).
    if (part < kNTiles) {
      stamp_wait(kWaitPartnerRead, read_parity, 0);
      Barrier::wait(&smem.partner_read[round], read_parity ^ 1);
    }
    const uint32_t slots = cute::set_block_rank(cute::cast_smem_ptr_to_uint(&smem.partner[group][0][lane]), partner);
    const uint32_t landed = cute::set_block_rank(cute::cast_smem_ptr_to_uint(&smem.partner_landed), partner);
#pragma unroll
    for (int nt = 0; nt < kNTiles; ++nt) {
      if (nt % kSplit != part) continue;
      asm volatile("st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.f32 [%0], {%1, %2, %3, %4}, [%5];"
                   :: "r"(slots + nt * 32 * 16), "f"(acc[nt][0]), "f"(acc[nt][1]), "f"(acc[nt][2]), "f"(acc[nt][3]),
                      "r"(landed)
                   : "memory");
    }
    if (threadIdx.x == 0) TxBarrier::arrive_and_expect_tx(&smem.partner_landed, sizeof(smem.partner));
    stamp_wait(kWaitPartnerLanded, landed_parity, 0);
    Barrier::wait(&smem.partner_landed, landed_parity);
#pragma unroll
    for (int nt = 0; nt < kNTiles; ++nt) {
      const float4 o = smem.partner[group][nt][lane];
      acc[nt][0] += o.x; acc[nt][1] += o.y; acc[nt][2] += o.z; acc[nt][3] += o.w;
    }
    __syncwarp();  // every lane's slots are read
    Barrier::arrive(&smem.partner_read[next_round], next_writer, lane == 0);
  }

  __device__ static void run(const SgmvParams& p, SharedStorage& smem) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    namespace cg = cooperative_groups;
    cg::cluster_group cluster = cg::this_cluster();
    const int blocks = static_cast<int>(cluster.num_blocks());
    const int me = static_cast<int>(cluster.block_rank());
    // dispatch launches clusters of 1, 2 or (kMaxCluster 8) 4 and 8 blocks
    if (blocks > kMaxCluster || (kMaxCluster > 2 && (blocks & (blocks - 1)))) __trap();
    timeline_start();
    if (threadIdx.x == 0) {
      for (int s = 0; s < kStages; ++s) {
        Barrier::init(&smem.full[s], 32 * kProducers);  // every producer lane
        Barrier::init(&smem.empty[s], 32 * kConsumers);  // every consumer lane
      }
      for (int s = 0; s < kTileSlots; ++s) {
        Barrier::init(&smem.tile_full[s], 1);  // the walking warp's lane 0
        Barrier::init(&smem.tile_empty[s], kTileReaders);  // every lane of every reader warp
      }
      Barrier::init(&smem.partner_landed, 1);
      for (int r = 0; r < kSwapRounds; ++r) Barrier::init(&smem.partner_read[r], kConsumers);  // every consumer
                                                                                              // warp of one block
    }
    cutlass::arch::fence_barrier_init();
    if (blocks > 1) {  // the partner's barriers are initialised before this block arrives on them
      cute::cluster_arrive_relaxed();
      cute::cluster_wait();
    } else {
      __syncthreads();
    }
    // Launched to overlap the previous kernel on the stream: nothing it may write (x, y, the tables) is read
    // before it is done. The walking warp reads only the tables: with p.tables_ready (no kernel writes them) it
    // hands over the first tiles while the previous kernel still runs (the other warps' wait keeps the block).
    const int warp = threadIdx.x / 32;
    const bool walking = warp == kConsumers + kProducers;
    stamp_event(kEventEntry);
    if (!walking || !p.tables_ready) wait_for_prerequisites();
    stamp_event(kEventReady);
    if (warp < kConsumers) {
      consume(p, smem, warp, me, blocks);
    } else if (!walking) {
      produce(p, smem, warp - kConsumers, me, blocks);
      launch_dependents();  // every copy is issued: the next kernel may take what this block frees
    } else {
      walk_tiles(p, smem);
    }
    if (blocks > 1) {  // the partner's last arrival on this block's barrier has come before either block exits
      cute::cluster_arrive();
      cute::cluster_wait();
    }
    stamp_event(kEventExit);
#else
    __trap();  // thread-block clusters: dispatch picks this kernel on sm_90 and later only
#endif
  }
};

}  // namespace sgmv

#include "prefill_consume.cuh"  // PrefillTile::consume, defined after the class
#include "prefill_produce.cuh"  // PrefillTile::produce, likewise
