// SGMV add_lora in one launch: y[rows of s] += scale_s * (x[rows of s] @ A[l_s]^T) @ B[l_s]^T.
//
// Grid: x = segment, y = column tile of h_out, z = row-tile group; the blocks along y form thread-block
// clusters of C (the launch's cluster size). The C blocks of a cluster share one 16-row tile of one
// segment: each reduces a 1/C share of h_in (the shrink, ShrinkTile's main loop), the cluster sums the
// shares through distributed shared memory into every block's copy of v (never through global memory),
// and each block expands v into its own column tile(s) of h_out (ExpandTile's MMA and epilogue). When
// h_out has more column tiles than a cluster has blocks, the launch has several clusters per row tile
// (each computes the same v: the shrink's reads repeat from L2) or blocks loop over tiles gridDim.y apart.
// The expand's operands for the block's first column tile (its B fragments and y) are copied into shared
// memory with cp.async right after the shrink's first loads, so they arrive while the shrink runs and hold no
// registers; each thread has private slots for exactly the fragments it later feeds to its MMAs. With the grid
// handoff a block may have two column tiles; where the kernel has room (kClusterSum, kRing) the second's copies go
// out with the first's.
// Slices: p.slices[0] is the shrink's (lora_a, h_in), p.slices[1] the expand's (lora_b, h_out, y_col); a packed kernel
// (kPacked) takes up to kMaxSlices / 2 such pairs, each its part of grid x (below).
// Needs sm_90 (clusters); dispatch uses it on such GPUs only, for 16-byte aligned rows. Clusters of 16
// (sm_90's non-portable maximum) were measured slower than 8 (benchmarks/NOTES.md, entry 9).
// With p.handoff set (dispatch: ranks 32-128, and launches too large for clusters below them) the same tile
// runs without clusters (run_grid): every block along grid y splits h_in and the blocks sum v through a workspace
// in global memory (handoff.cuh, entries 41 and 44).
#pragma once
#include <type_traits>

#include <cooperative_groups.h>
#include <cute/arch/cluster_sm90.hpp>
#include <cute/arch/copy_sm80.hpp>
#include <cutlass/arch/barrier.h>

#include "expand.cuh"
#include "handoff.cuh"
#include "overlap.cuh"
#include "shrink.cuh"

namespace sgmv {

// kClusterSum (codegen's KernelSpec.cluster_sum: ranks 8 to 32, and above them the tiles of one 32-column tile a
// warp): the kernel carries the cluster sum (run_cluster) and its `received` buffer, which run_grid shares for a
// block's second column tile where kRing is 2. Without it (the r64 256-column kernel; dispatch runs ranks 32 and
// 64 with the grid handoff only) the kernel keeps neither, and two blocks an SM leave L1 more room
// (benchmarks/NOTES.md, entries 83 and 87).
// kRowTile: rows a block takes, 16 or, with the grid handoff only, 32 (two 16-row MMA tiles that share the block's
// loads of A and B; benchmarks/NOTES.md, entries 124-128).
// kFlat (codegen's KernelSpec.flat_tiles): the grid handoff only, with the batch's row tiles numbered over all
// segments (p.flat_tiles; run_grid). A kernel of its own: in the same kernel as the per-segment form, the flat
// form's code cost that form's launches 1-7% (benchmarks/NOTES.md, entry 135).
// kTileBarrier (codegen's KernelSpec.tile_barrier): the grid handoff only, per segment (not kFlat), each block
// waiting for the blocks of its own row tile (grid y) instead of the launch's (Handoff::arrive_tile), for launches
// of many row tiles (dispatch: HANDOFF_TILE_BARRIER_MIN_TILES). A kernel of its own: in the same kernel, the form's
// code and its second counter's read cost the launches of few row tiles 1-5% (benchmarks/NOTES.md, entries 92
// and 249).
// kTrueRanks (codegen's KernelSpec.true_ranks; dispatch runs it only for calls whose B rows are narrower than kRank: a
// rank off the build's grid on the next rank's kernel, every adapter given the call's rank, one_launch_padded): the
// expand's loads of B (prefetch, load_tile) take only the pieces that start below the adapter's true rank, so such a
// call's weights are read within their bounds (past the last adapter's last row there is nothing). A kernel of its
// own: the bound's compares in every kernel cost the full sweep's rank-32 launches up to 7% (NOTES.md, entry 333).
// v is staged split into the expand's MMA operands once a block (Expand::SplitV, Expand::store_split), not split by
// every warp for every chunk and column tile (Expand::multiply, the standalone expand's): ranks 32-128 0.95-0.99x
// their time at the median, ranks 8-16 0.98-1.00x (benchmarks/NOTES.md, entries 262, 265 and 267; the 4-warp tiles
// of ranks 8-16 held to two blocks an SM, codegen's KernelSpec.occupancy_cap).
// kPacked (codegen's KernelSpec.packed): a packed add_lora, up to kMaxSlices / 2 output slices of one x (q + k + v,
// gate + up) in one launch. Grid x is segment + pair * num_segments (with kFlat, whose grid z numbers the batch's row
// tiles: pair): pair s runs A = slices[2s], B = slices[2s + 1] (y's columns from B's y_col), and with the grid handoff
// keeps its v in the buffer's rows from s * num_rows on. Each (segment, pair) is an add_lora of its own that shares the
// launch (and its barrier) with the others. A kernel of its own: the one-slice kernels keep their code
// (benchmarks/NOTES.md, entries 371 and 372).
template <class T, int kRank, int kWarps, int kColTiles, int kUnroll, bool kClusterSum, int kRowTile = 16,
          bool kFlat = false, bool kRankHalves = false, bool kTileBarrier = false, bool kTrueRanks = false,
          bool kPacked = false>
struct FusedTile {
  static_assert(!(kTileBarrier && kFlat), "a barrier per row tile: the per-segment grid (row tile x, z)");
  static constexpr int kWarpRows = kRowTile;
  static constexpr int kMTiles = kWarpRows / 16;
  static_assert(kRowTile == 16 || (kRowTile == 32 && !kClusterSum), "taller row tiles: the grid handoff only");
  static constexpr int kMaxBlocks = kMaxCluster;  // blocks per cluster (dispatch: FUSED_CLUSTER)
  static constexpr int kThreads = kWarps * 32;
  static_assert(kRank % 8 == 0 && kRank > 0, "the fused kernel is rank-specialized, in whole 16-byte vectors");
  // kRankHalves (codegen's KernelSpec.rank_halves: 32-row tiles from FUSED_RANK_HALVES_MIN_RANK): the shrink's warps
  // in two halves of the rank, each over twice the chunks (kShrinkWarps a half), so at rank 128 each thread holds a
  // 32 x 64 tile's accumulators, not 32 x 128 (255 registers and a spill; benchmarks/NOTES.md, entries 204 and
  // 208-209), and at rank 64 the registers freed carry twice the unroll (entry 212). The warps of a half store into
  // one partial tile each.
  static_assert(!kRankHalves || kRowTile == 32, "rank halves: the 32-row tiles");
  static constexpr int kShrinkWarps = kRankHalves ? kWarps / 2 : kWarps;
  static constexpr int kShrinkRank = kRankHalves ? kRank / 2 : kRank;
  static_assert(!kRankHalves || (kWarps % 2 == 0 && kRank % 16 == 0), "two halves of the warps and of the rank");
  using Shrink = ShrinkTile<T, kShrinkRank, kShrinkRank, 0, kShrinkWarps, kWarpRows, kUnroll, true, 0, true>;
  struct HalvesPartials {
    float partial[kShrinkWarps][kWarpRows][kRank];  // [warp % kShrinkWarps]: both halves' columns
  };
  using PartialStorage = std::conditional_t<kRankHalves, HalvesPartials, typename Shrink::SharedStorage>;
  using Expand = ExpandTile<T, kRank, 0, kWarps, kWarpRows, kColTiles, true>;
  static constexpr int kChunks = (kRank + kChunk - 1) / kChunk;
  static constexpr int kBlockCols = Expand::kBlockCols;

  using Barrier = cutlass::arch::ClusterTransactionBarrier;
  static constexpr int kTileBytes = kWarpRows * kRank * 4;  // one block's partial tile of v
  static constexpr bool kZeroEarly = kRank >= 32;  // run_grid: where the other buffer is zeroed (entry 76)

  // One column tile's copies: each thread's B fragments and pieces of y (cp.async).
  struct Slots {
    uint4 w[kChunks][kColTiles][4][kThreads];
    uint4 y[kMTiles][2][kColTiles][kThreads];
  };

  struct TileStorage {  // every path's
    PartialStorage shrink;        // the warps' partial tiles; [0] is the block's, pushed to the cluster
    typename Expand::SplitV v;    // the row tile of v, summed, zero past the true rank (Expand::store_split)
    Slots slots;                  // the block's first column tile
  };
  struct ClusterStorage : TileStorage {
    union {
      float received[kMaxBlocks][kWarpRows][kRank];  // run: every cluster block's partial tile (st.async from block b)
      Slots next;                                    // run_grid with kRing 2: the block's second column tile
    };
    uint64_t landed[2];  // [0]: completes when every block's tile has landed; [1]: pad
  };
  using SharedStorage = std::conditional_t<kClusterSum, ClusterStorage, TileStorage>;
  // run_grid: a block's column tiles whose copies are in flight at once (Slots in shared memory): two where the kernel
  // carries the storage and has several 32-column tiles a warp. The one-tile-a-warp kernels (128 columns) keep one:
  // at rank 32 a second cost 3% (benchmarks/NOTES.md, entries 87 and 88), at rank 64 nothing.
  static constexpr int kRing = kClusterSum && kColTiles > 1 ? 2 : 1;
  // run_grid, kernels without the cluster's storage up to rank 64 (the r64 256-column kernel): a block's second column
  // tile, which no slots hold, is loaded into registers (Staged) after the shrink's last loads, so that it arrives
  // during the arrival, the barrier's wait and v's load; issued after the barrier its copies waited 2500-3000 cycles
  // cold (benchmarks/NOTES.md, entry 83). Loads into registers do not hold up the arrival's release (entry 75's
  // mode 6), which waits for the block's async copies. Rank 128's kernel has no registers to spare (250).
  // Not in the 32-row tiles (their second tile's registers would spill; dispatch gives them one column tile a block).
  static constexpr bool kSecondInRegisters = !kClusterSum && kRank <= 64 && kColTiles > 1 && kRowTile == 16;

  // One column tile's B fragments and y pieces for this thread, as prefetch copies them, held in registers.
  struct Staged {
    Vec8 w[kChunks][kColTiles][4];
    Vec8 y[kMTiles][2][kColTiles];
  };

  // This thread's pieces of the column tile at n0 (its warp's first column): piece j of 32-column tile ct of B's
  // rank chunk c, at column `col` and rank k, as weight(c, ct, j, col, k); then its 8 columns `col` of y's row h
  // (g, g + 8) of m-tile mt in tile ct, as row(mt, h, ct, col). prefetch copies them, load_tile loads them into
  // registers.
  template <class Weight, class Row>
  __device__ __forceinline__ static void for_tile_pieces(int n0, Weight weight, Row row) {
    const int lane = threadIdx.x % 32;
    const int t = lane % 4;
#pragma unroll
    for (int c = 0; c < kChunks; ++c)
#pragma unroll
      for (int ct = 0; ct < kColTiles; ++ct)
#pragma unroll
        for (int j = 0; j < 4; ++j)
          weight(c, ct, j, n0 + ct * 32 + interleaved_column(j, lane / 4), c * kChunk + 8 * t);
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h)
#pragma unroll
        for (int ct = 0; ct < kColTiles; ++ct) row(mt, h, ct, n0 + ct * 32 + 8 * t);
  }

  // Issue the copies of this thread's B fragments and y pieces for the column tile at n0 (its warp's first
  // column) into `slots`; out-of-range pieces are zero-filled. With kTrueRanks, B's pieces from the adapter's true rank
  // on are not read; a piece that starts below it is read whole (mask_weights zeroes its tail).
  __device__ static void prefetch(const uint16_t* w, int64_t w_stride_row, uint16_t* const (&y_rows)[kMTiles][2],
                                  int n0, int N, int true_rank, Slots& slots) {
    using Copy = cute::SM80_CP_ASYNC_CACHEGLOBAL_ZFILL<uint4>;
    for_tile_pieces(
        n0,
        [&](int c, int ct, int j, int col, int k) {
          const bool ok = col < N && k < (kTrueRanks ? true_rank : kRank);
          const uint16_t* src = ok ? w + col * w_stride_row + k : w;
          Copy::copy(*reinterpret_cast<const uint4*>(src), slots.w[c][ct][j][threadIdx.x], ok);
        },
        [&](int mt, int h, int ct, int col) {
          const bool ok = y_rows[mt][h] != nullptr && col < N;
          const uint16_t* src = ok ? y_rows[mt][h] + col : w;
          Copy::copy(*reinterpret_cast<const uint4*>(src), slots.y[mt][h][ct][threadIdx.x], ok);
        });
    cute::cp_async_fence();
  }

  // Loads into `staged` what prefetch copies for the column tile at n0 (out-of-range pieces zero; with kTrueRanks B's
  // within the true rank, as prefetch's): coherent loads, after the wait for the previous kernel (the shrink's), in
  // order with the MMAs (load_vec8_predicated).
  __device__ static void load_tile(const uint16_t* w, int64_t w_stride_row, uint16_t* const (&y_rows)[kMTiles][2],
                                   int n0, int N, int true_rank, Staged& staged) {
    for_tile_pieces(
        n0,
        [&](int c, int ct, int j, int col, int k) {
          staged.w[c][ct][j] = load_vec8_predicated(w + col * w_stride_row, k, kTrueRanks ? true_rank : kRank,
                                                    col < N);
        },
        [&](int mt, int h, int ct, int col) {
          staged.y[mt][h][ct] = load_vec8_predicated(y_rows[mt][h], col, N, y_rows[mt][h] != nullptr);
        });
  }

  // Pushes this block's partial tile (smem.shrink.partial[0], complete) into slot `me` of every cluster block's
  // `received`, each 16-byte piece with st.async completing on that block's `landed` barrier. Pushing instead
  // of reading the others' tiles needs no release fence: a cluster-scope release compiled to MEMBAR.ALL.GPU,
  // which waits for every outstanding global access of the thread (benchmarks/NOTES.md, where the time goes).
  __device__ static void push_tile(SharedStorage& smem, int blocks, int me) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    constexpr int kPieces = kTileBytes / 16;
    const float* tile = &smem.shrink.partial[0][0][0];
    const uint32_t slot = cute::cast_smem_ptr_to_uint(&smem.received[me][0][0]);
    const uint32_t landed = cute::cast_smem_ptr_to_uint(&smem.landed[0]);
    for (int i = threadIdx.x; i < kPieces * blocks; i += kThreads) {
      const int dst = i / kPieces;
      const int e = 4 * (i % kPieces);
      const float4 f = *reinterpret_cast<const float4*>(tile + e);
      asm volatile("st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.f32 [%0], {%1, %2, %3, %4}, [%5];"
                   :: "r"(cute::set_block_rank(slot + 4 * e, dst)), "f"(f.x), "f"(f.y), "f"(f.z), "f"(f.w),
                      "r"(cute::set_block_rank(landed, dst))
                   : "memory");
    }
#endif
  }

  // Waits until every block's tile has landed (barrier phase `phase`), then sums them into v (whole chunks:
  // the MMAs read them all; zero past the true rank).
  __device__ static void sum_received(SharedStorage& smem, int blocks, int true_rank, uint32_t phase) {
    if (threadIdx.x == 0) Barrier::arrive_and_expect_tx(&smem.landed[0], blocks * kTileBytes);
    Barrier::wait(&smem.landed[0], phase);
    constexpr int kCols = kChunks * kChunk;
    for (int e = 4 * threadIdx.x; e < kWarpRows * kCols; e += 4 * kThreads) {
      const int row = e / kCols;
      const int col = e % kCols;  // a multiple of 4, as kRank is of 8: a piece lies inside or past the rank
      float4 sum = make_float4(0.f, 0.f, 0.f, 0.f);
      if (col < true_rank) {
        for (int b = 0; b < blocks; ++b) {
          const float4 f = *reinterpret_cast<const float4*>(&smem.received[b][row][col]);
          sum.x += f.x; sum.y += f.y; sum.z += f.z; sum.w += f.w;
        }
      }
      Expand::store_split(smem.v, row, col,
                          make_float4(col < true_rank ? sum.x : 0.f, col + 1 < true_rank ? sum.y : 0.f,
                                      col + 2 < true_rank ? sum.z : 0.f, col + 3 < true_rank ? sum.w : 0.f));
    }
    __syncthreads();  // v is complete
  }

  // This thread's B fragments of chunk c, and its pieces of y, from its prefetched slots.
  __device__ __forceinline__ static void read_weights(const Slots& slots, int c, Vec8 (&bv)[kColTiles][4]) {
#pragma unroll
    for (int ct = 0; ct < kColTiles; ++ct)
#pragma unroll
      for (int j = 0; j < 4; ++j) bv[ct][j] = vec8_of(slots.w[c][ct][j][threadIdx.x]);
  }
  __device__ __forceinline__ static void read_y(const Slots& slots, Vec8 (&yv)[kMTiles][2][kColTiles]) {
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h)
#pragma unroll
        for (int ct = 0; ct < kColTiles; ++ct) yv[mt][h][ct] = vec8_of(slots.y[mt][h][ct][threadIdx.x]);
  }
  // This thread's B fragments of every chunk and its pieces of y, from its prefetched slots into `staged`.
  __device__ __forceinline__ static void read_staged(const Slots& slots, Staged& staged) {
#pragma unroll
    for (int c = 0; c < kChunks; ++c) read_weights(slots, c, staged.w[c]);
    read_y(slots, staged.y);
  }

  // acc = v (smem.v) times B, chunk c's fragments from weights(c, bv).
  template <class Weights>
  __device__ __forceinline__ static void multiply_tile(SharedStorage& smem, Weights weights, int true_rank,
                                                       float (&acc)[kMTiles][kColTiles][4][4]) {
    zero_fill(acc);
#pragma unroll
    for (int c = 0; c < kChunks; ++c) {
      if (c * kChunk >= true_rank) break;  // uniform: chunks past the adapter's true rank
#if defined(SGMV_PROBE_EXPAND_NO_MMA)  // a probe only (wrong results): the expand without its MMAs (NOTES entry 176)
      continue;
#endif
      Vec8 bv[kColTiles][4];
      weights(c, bv);
      Expand::mask_weights(c, kRank, true_rank, bv);
      Expand::multiply_split(smem.v, c, bv, acc);
    }
  }

  // The expand: v (smem.v, complete) times B into y, for the block's column tiles gridDim.y apart from
  // blockIdx.y's. kSeveralTiles (the grid handoff, whose grid may have fewer blocks along y than h_out has column
  // tiles): the block's first kRing tiles were copied behind the shrink's first loads, and tile i reads slots
  // i % kRing (smem.slots, smem.next). With kRing 2 no copy waits after the barrier where a block has two tiles
  // (dispatch gives at most HANDOFF_MAX_TILES_PER_BLOCK = 2): the second tile's copies, issued after it, took ~3000
  // cycles with cold weights (benchmarks/NOTES.md, entry 83). A block with a tile kRing after the current one reads
  // the current slots into registers and at once refills them with that tile's copies, which arrive while it
  // multiplies and stores (the same thread's slots: its shared-memory reads are issued before its copies, which
  // write only once their global reads return); waiting for each tile's copies in turn cost 2.3-2.9x (entries 41
  // and 44). Otherwise a tile's fragments are read chunk by chunk: reading them all first cost the single-tile
  // launches 1-4% (entry 44). The single-tile form (kSeveralTiles false) serves the cluster path's fused_grid, whose
  // grid y covers every column tile: each block has at most one, in smem.slots (run_grid's one-tile launches read
  // theirs during the barrier's wait and expand it by expand_staged).
  // kSecondInRegisters: the block's second tile is `second` (loaded before the barrier), and the slots serve its
  // first, third, fourth, ... tiles (blocks of three or more: run_grid expands a block of two by expand_staged). A
  // block of two at ranks 8-16 with kRing 2 does not come here either (first_of_two_early).
  template <bool kSeveralTiles>
  __device__ __forceinline__ static void expand_columns(SharedStorage& smem, const uint16_t* wb,
                                                        const int64_t& w_stride_row,
                                                        uint16_t* const (&y_rows)[kMTiles][2], int N, float scale,
                                                        int true_rank,
                                                        const Staged* second = nullptr) {
    const int warp = threadIdx.x / 32;
    int i = 0;  // the block's tiles in turn
    for (int tile = blockIdx.y; tile * kBlockCols < N; tile += gridDim.y, ++i) {
      const int n0 = tile * kBlockCols + warp * Expand::kWarpCols;
      float acc[kMTiles][kColTiles][4][4];
      Vec8 yv[kMTiles][2][kColTiles];
      if constexpr (kSecondInRegisters && kSeveralTiles) {
        if (i == 1) {
          multiply_tile(smem, [&](int c, Vec8 (&bv)[kColTiles][4]) {
#pragma unroll
            for (int ct = 0; ct < kColTiles; ++ct)
#pragma unroll
              for (int j = 0; j < 4; ++j) bv[ct][j] = second->w[c][ct][j];
          }, true_rank, acc);
#pragma unroll
          for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
            for (int h = 0; h < 2; ++h)
#pragma unroll
              for (int ct = 0; ct < kColTiles; ++ct) yv[mt][h][ct] = second->y[mt][h][ct];
          Expand::store_y(y_rows, n0, N, scale, yv, acc);
          continue;
        }
      }
      Slots& slots = slots_of(smem, kSeveralTiles ? i % kRing : 0);
      cute::cp_async_wait<0>();  // this thread's own slots: no barrier needed
      int after_next = tile + kRing * gridDim.y;
      if constexpr (kSecondInRegisters)
        if (i == 0) after_next += gridDim.y;  // the tile after the one in registers
      if (kSeveralTiles && after_next * kBlockCols < N) {
        Vec8 staged[kChunks][kColTiles][4];
#pragma unroll
        for (int c = 0; c < kChunks; ++c) read_weights(slots, c, staged[c]);
        read_y(slots, yv);
        prefetch(wb, w_stride_row, y_rows, n0 + (after_next - tile) * kBlockCols, N, true_rank, slots);
        multiply_tile(smem, [&](int c, Vec8 (&bv)[kColTiles][4]) {
#pragma unroll
          for (int ct = 0; ct < kColTiles; ++ct)
#pragma unroll
            for (int j = 0; j < 4; ++j) bv[ct][j] = staged[c][ct][j];
        }, true_rank, acc);
      } else {
        multiply_tile(smem, [&](int c, Vec8 (&bv)[kColTiles][4]) { read_weights(slots, c, bv); }, true_rank, acc);
        read_y(slots, yv);
      }
      Expand::store_y(y_rows, n0, N, scale, yv, acc);
    }
  }

  // The expand of the block's i-th column tile (blockIdx.y + i * gridDim.y, if h_out has it) from `staged` (read
  // during the barrier's wait, or loaded before it): every chunk, none skipped past the adapter's true rank (v is zero
  // there and B masked), so that the compiler may issue all of v's reads before the first MMA.
  __device__ __forceinline__ static void expand_staged(SharedStorage& smem, uint16_t* const (&y_rows)[kMTiles][2],
                                                       int N, float scale, int true_rank, Staged& staged, int i = 0) {
    if (!has_column_tile(N, i)) return;
    float acc[kMTiles][kColTiles][4][4];
    zero_fill(acc);
#pragma unroll
    for (int c = 0; c < kChunks; ++c) {
      Expand::mask_weights(c, kRank, true_rank, staged.w[c]);
      Expand::multiply_split(smem.v, c, staged.w[c], acc);
    }
    Expand::store_y(y_rows, warp_column(i), N, scale, staged.y, acc);
  }

  // The expand of the block's i-th column tile from `slots` (its copies issued before the barrier), B's fragments
  // read chunk by chunk between the MMAs.
  __device__ __forceinline__ static void expand_slots(SharedStorage& smem, const Slots& slots,
                                                      uint16_t* const (&y_rows)[kMTiles][2], int N, float scale,
                                                      int true_rank, int i) {
    cute::cp_async_wait<0>();  // this thread's own slots
    float acc[kMTiles][kColTiles][4][4];
    Vec8 yv[kMTiles][2][kColTiles];
    multiply_tile(smem, [&](int c, Vec8 (&bv)[kColTiles][4]) { read_weights(slots, c, bv); }, true_rank, acc);
    read_y(slots, yv);
    Expand::store_y(y_rows, warp_column(i), N, scale, yv, acc);
  }

  // Slots i of a block's ring (kRing): smem.slots, then smem.next.
  __device__ __forceinline__ static Slots& slots_of(SharedStorage& smem, int i) {
    if constexpr (kRing == 2)
      return i == 1 ? smem.next : smem.slots;
    else
      return smem.slots;
  }

  // Whether this block has exactly two column tiles and reads its first from the slots during the barrier's wait too,
  // as a one-tile launch does: where the second is in registers (kSecondInRegisters), expanding both from registers
  // (benchmarks/NOTES.md, entry 181: h8192 r64 two-tile launches 0.98x), and at ranks 8-16 where it is in the ring's
  // other slots (kRing 2), which expand_slots reads after the first tile's expand (entry 184: 0.96-0.98x; rank 32's
  // kRing-2 kernel lost up to 4.5% on its flat launches, so it reads both tiles after the wait).
  static constexpr bool kFirstOfTwoEarly = kSecondInRegisters || (kRing == 2 && kRank <= 16);
  // Whether such a block at ranks 8-16 (kRing 2) reads its second tile from smem.next into `second` during the wait
  // too, and expands both by expand_staged (entries 187-190: h8192 r8-r16 uniform bs256 0.975-0.988x, two-tile
  // launches 0.97-0.99x). Not in the flat kernels (skewed launches up to 3% slower) nor in rank 8's 512-column kernel,
  // whose one-tile launches, which never take this path, came out 1.01-1.03x slower with it (entry 190).
  static constexpr bool kSecondFromNextEarly =
      kRing == 2 && !kFlat && (kRank == 16 || (kRank == 8 && kBlockCols == 256));
  __device__ __forceinline__ static bool first_of_two_early(int N) {
    return kFirstOfTwoEarly && has_column_tile(N, 1) && !has_column_tile(N, 2);
  }

  // Whether the launch's grid y covers every column tile of h_out's N columns (a block has at most one: the single-tile
  // form), and whether this block has its i-th column tile (blockIdx.y + i * gridDim.y).
  __device__ __forceinline__ static bool one_tile_launch(int N) {
    return static_cast<int>(gridDim.y) * kBlockCols >= N;
  }
  __device__ __forceinline__ static bool has_column_tile(int N, int i = 0) {
    return static_cast<int>(blockIdx.y + i * gridDim.y) * kBlockCols < N;
  }
  // This warp's first column in the block's i-th column tile.
  __device__ __forceinline__ static int warp_column(int i) {
    return static_cast<int>(blockIdx.y + i * gridDim.y) * kBlockCols + threadIdx.x / 32 * Expand::kWarpCols;
  }

  // The launch's number of blocks, and this block's index among them (the grid handoff's arrival and zeroing).
  __device__ static int launch_blocks() { return gridDim.x * gridDim.y * gridDim.z; }
  __device__ static int launch_block() { return (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x; }

  // The block's pair of slices (kPacked: blockIdx.x / num_segments, with kFlat blockIdx.x; else 0) and its segment
  // (blockIdx.x's remainder; kFlat: block_segment's scan).
  __device__ __forceinline__ static int block_pair(const SgmvParams& p) {
    if constexpr (kPacked)
      return kFlat ? static_cast<int>(blockIdx.x) : static_cast<int>(blockIdx.x) / p.num_segments;
    else
      return 0;
  }
  __device__ __forceinline__ static int block_segment_index(const SgmvParams& p) {
    if constexpr (kPacked)
      return static_cast<int>(blockIdx.x) % p.num_segments;
    else
      return blockIdx.x;
  }
  // Slice i of the block's pair (0: the shrink's A, 1: the expand's B): slices[i], or with kPacked
  // slices[2 * pair + i] (read from the parameters at a register's offset, LDC: no copy into local memory).
  __device__ __forceinline__ static const SgmvSlice& pair_slice(const SgmvParams& p, [[maybe_unused]] int pair, int i) {
    if constexpr (kPacked)
      return p.slices[2 * pair + i];
    else
      return p.slices[i];
  }
  // The grid handoff's rows of v before the block's pair's (kPacked: pair * num_rows; else none).
  __device__ __forceinline__ static int64_t pair_rows(const SgmvParams& p, [[maybe_unused]] int pair) {
    if constexpr (kPacked)
      return static_cast<int64_t>(pair) * p.num_rows;
    else
      return 0;
  }

  // This block's segment of the grid handoff: segment blockIdx.x (its row tile: blockIdx.z), or with kFlat the one
  // of the batch's tile blockIdx.z (locate_tile_in; none: no rows), whose row tile in it goes to `row_tile`. The
  // scan's shared memory is v's storage, free until the barrier: as static shared memory its 48 bytes cost the r64
  // 256-column kernel's launches 4.7% (entry 135).
  __device__ __forceinline__ static Segment block_segment(const SgmvParams& p, SharedStorage& smem,
                                                          [[maybe_unused]] int& row_tile) {
    if constexpr (kFlat) {
      struct Scratch {
        int warp_sums[kThreads / 32];
        Segment seg;
        int tile;
      };
      static_assert(sizeof(Scratch) <= sizeof(smem.v), "the scan's scratch fits v's storage");
      Scratch& scratch = *reinterpret_cast<Scratch*>(&smem.v[0][0]);
      Segment seg{};
      row_tile = 0;
      locate_tile_in<kWarpRows, kThreads>(p, static_cast<int>(blockIdx.z), seg, row_tile, scratch.warp_sums,
                                          scratch.seg, scratch.tile);
      return seg;
    } else {
      return load_segment(p, block_segment_index(p));
    }
  }

  // add_lora with the grid handoff (handoff.cuh): grid y splits h_in over all of its blocks, which sum v through
  // the workspace; grid z holds one row tile per block: of segment blockIdx.x (dispatch covers the longest segment),
  // or with kFlat the batch's tiles (grid x 1; kPacked: a pair each). Every block arrives at the barrier once, those
  // without a tile (no adapter, rows or rank) included.
  __device__ static void run_grid(const SgmvParams& p, SharedStorage& smem);  // fused_grid.cuh

  __device__ static void run(const SgmvParams& p, SharedStorage& smem) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    if constexpr (kFlat && kPacked) {
      if (p.handoff == nullptr || !p.flat_tiles || static_cast<int>(gridDim.x) != p.num_slices / 2) __trap();
    } else if constexpr (kFlat) {
      if (p.handoff == nullptr || !p.flat_tiles || gridDim.x != 1) __trap();  // dispatch: the flat grid only
    }
    if (p.handoff != nullptr)
      run_grid(p, smem);
    else if constexpr (kClusterSum && !kFlat)
      run_cluster(p, smem);
    else
      __trap();  // dispatch runs a kernel without the cluster sum only with the grid handoff
#else
    __trap();  // thread-block clusters and the grid handoff: dispatch picks this kernel on sm_90 and later only
#endif
  }

  // add_lora with the cluster sum (no p.handoff).
  __device__ static void run_cluster(const SgmvParams& p, SharedStorage& smem) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    namespace cg = cooperative_groups;
    cg::cluster_group cluster = cg::this_cluster();
    const int blocks = min(static_cast<int>(cluster.num_blocks()), kMaxBlocks);
    const int me = static_cast<int>(cluster.block_rank());
    const int pair = block_pair(p);
    const SgmvSlice& a = pair_slice(p, pair, 0);
    const SgmvSlice& b = pair_slice(p, pair, 1);
    const int K = a.hidden;
    const int N = b.hidden;

    // The landing barrier, initialised before any block of the cluster may push to it: the arrival here is
    // matched by the wait before this block's first push.
    if (threadIdx.x == 0) Barrier::init(&smem.landed[0], 1);
    cutlass::arch::fence_barrier_init();
    cute::cluster_arrive_relaxed();
    uint32_t phase = 0;

    // Launched to overlap the previous kernel on the stream (which may write x and y, and the batch tables
    // unless p.tables_ready): the next kernel may start its own prologue now, but nothing the previous one may
    // write is read here before it is done.
    launch_dependents();
    if (!p.tables_ready) wait_for_prerequisites();

    // Every block of a cluster has the same segment and row tiles: all of them reach every cluster barrier.
    // A block without work waits too before it exits (overlap.cuh: a grid completes after its prerequisites).
    // With p.tables_ready the wait comes later, right before the first loads of x and the weights: the setup
    // below (a single warp per scheduler runs it at the latency of each dependent step) is done by then
    // (benchmarks/NOTES.md, entry 40).
    const Segment seg = load_segment(p, block_segment_index(p));
    const int true_rank = seg.active ? adapter_rank(p, seg.lora, kRank) : 0;
    bool waiting = p.tables_ready;
    auto wait_once = [&] {
      if (waiting) wait_for_prerequisites();
      waiting = false;
    };
    if (true_rank == 0) {
      wait_once();
      return;
    }

    int c_begin, c_end;  // this block's share of h_in
    Shrink::split_chunks(K, me, blocks, c_begin, c_end);
    const int warp = threadIdx.x / 32;
    const uint16_t* x = static_cast<const uint16_t*>(p.x);
    uint16_t* y = static_cast<uint16_t*>(p.y) + b.y_col;
    const uint16_t* wa = static_cast<const uint16_t*>(a.w) + seg.lora * a.w_stride_lora;
    const uint16_t* wb = static_cast<const uint16_t*>(b.w) + seg.lora * b.w_stride_lora;

    // Blocks past h_out's column tiles (the grid rounds up to whole clusters) only share the shrink: they copy
    // nothing, or their copies would stay outstanding into the next row tile's (racecheck: same slots).
    const bool has_columns = static_cast<int>(blockIdx.y) * kBlockCols < N;
    const int row_tiles = (seg.end - seg.begin + kWarpRows - 1) / kWarpRows;
    for (int rt = blockIdx.z; rt < row_tiles; rt += gridDim.z) {
      const int row0 = seg.begin + rt * kWarpRows;
      const uint16_t* x_rows[kMTiles][2];
      uint16_t* y_rows[kMTiles][2];
      lane_rows(p, x, p.ld_x, row0, seg.end, x_rows);
      lane_rows(p, y, p.ld_y, row0, seg.end, y_rows);
      const int n_first = blockIdx.y * kBlockCols + warp * Expand::kWarpCols;

      float acc_v[kMTiles][kRank / 8][4];  // the expand's copies are issued behind the shrink's first loads
      Shrink::accumulate(x_rows, K, wa, a.w_stride_row, 0, true_rank, c_begin + warp, c_end, acc_v, [&] {
        if (has_columns) prefetch(wb, b.w_stride_row, y_rows, n_first, N, true_rank, smem.slots);
      }, wait_once);
      Shrink::sum_warps(smem.shrink, acc_v);
      __syncthreads();       // the block's tile is complete
      cute::cluster_wait();  // every block's barrier is initialised, and has summed the previous row tile's pushes
      push_tile(smem, blocks, me);
      sum_received(smem, blocks, true_rank, phase);
      phase ^= 1;
      cute::cluster_arrive_relaxed();  // this block has read `received`: the next row tile may push to it

      expand_columns<false>(smem, wb, b.w_stride_row, y_rows, N, seg.scale, true_rank);
    }
    wait_once();  // a block without row tiles (overlap.cuh)
#endif
  }
};

}  // namespace sgmv

#include "fused_grid.cuh"  // FusedTile::run_grid, defined after the class
