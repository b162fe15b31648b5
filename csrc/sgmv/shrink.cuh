// SGMV shrink: v[rows of s] += scale_s * x[rows of s] @ A[l_s]^T   (M = rows, N = r, K = h_in).
//
// Grid: x = (segment, output slice), slices fastest, so the blocks of every slice that read one row tile
// of x run side by side and share it through L2; y = (rank chunk, k split); z = row-tile group. With
// p.flat_tiles, x = output slice and z = row tile of the whole batch (segments.cuh, locate_tile). A block
// owns one tile of kWarpRows rows and kRankTile ranks of one segment and slice; its warps split that
// tile's share of the h_in reduction and reduce through shared memory. Several blocks can split the
// reduction of one tile (split-K): each either adds its float32 partial into v (which the caller zeroed),
// or, with p.partials, the p.cluster_splits blocks of a thread-block cluster (consecutive splits) sum
// their tiles through distributed shared memory and store one slice of v, which the expand sums (no
// zeroing, no atomics, few slices however many splits). Weight rows past an adapter's true rank
// (p.ranks) are not loaded (their MMAs multiply zeros: a branch there would cost the loads' overlap).
#pragma once
#include <type_traits>

#include <cooperative_groups.h>
#include <cute/arch/copy_sm80.hpp>

#include "fragments.cuh"
#include "overlap.cuh"
#include "segments.cuh"

namespace sgmv {

// kStages > 0: the pipelined main loop (accumulate_pipelined): each thread copies the 16-byte pieces of x and of
// the weights it feeds to its MMAs into private shared-memory slots with cp.async, kStages - 1 of its warp's
// chunks ahead of the one it multiplies, so the bytes in flight are bounded by shared memory, not by
// registers. kStages == 0: kUnroll chunks loaded into registers per step (accumulate).
// kPredicatedLoads: accumulate's loads as single predicated instructions (load_vec8_predicated; the fused kernel).
template <class T, int kRank, int kRankTile, int kHidden, int kWarps, int kWarpRows, int kUnroll, bool kVectorized,
          int kStages = 0, bool kPredicatedLoads = false>
struct ShrinkTile {
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kMTiles = kWarpRows / 16;
  static constexpr int kNTiles = kRankTile / 8;
  static constexpr bool kPipelined = kStages > 0;
  static constexpr int kPieces = 2 * kMTiles + kNTiles;  // 16-byte pieces a thread copies per chunk
  static_assert(kWarpRows % 16 == 0, "row tile is a multiple of the 16-row MMA");
  static_assert(kRankTile % 8 == 0, "rank tile is a multiple of the 8-column MMA");
  static_assert(kRank == 0 || kRank <= kRankTile, "a specialized rank fits one rank tile");
  static_assert(kHidden == 0 || !kVectorized || kHidden % 8 == 0, "vectorized rows hold whole 16-byte vectors");
  static_assert(!kPipelined || (kVectorized && kStages >= 2), "the pipeline copies whole 16-byte vectors");

  struct RegisterStorage {
    float partial[kWarps][kWarpRows][kRankTile];
  };
  struct PipelineStorage {
    float partial[kWarps][kWarpRows][kRankTile];
    uint4 slots[kPipelined ? kStages : 1][kPieces][kThreads];  // [stage][piece][thread]: x pieces, then weights
  };
  using SharedStorage = std::conditional_t<kPipelined, PipelineStorage, RegisterStorage>;

  __device__ static void run(const SgmvParams& p, SharedStorage& smem) {
    const int split = blockIdx.y % p.k_splits;
    const int n_base = (blockIdx.y / p.k_splits) * kRankTile;
    const int cluster = p.partials ? p.cluster_splits : 1;
    const SgmvSlice& slice = p.slices[blockIdx.x % p.num_slices];
    const int K = kHidden ? kHidden : slice.hidden;

    // Launched to overlap the previous kernel on the stream: nothing it may write is read before it is done
    // (the batch tables are read before when p.tables_ready). Only then may the expand start: it reads y
    // before waiting for this kernel.
    if (!p.tables_ready) {
      wait_for_prerequisites();
      launch_dependents();
    }
    Segment seg;
    int rt_first;
    const bool has_rows = block_rows<kWarpRows, kThreads>(p, blockIdx.x / p.num_slices, seg, rt_first);
    const int rank = has_rows ? adapter_rank(p, seg.lora, kRank ? min(kRank, slice.rank) : slice.rank) : 0;
    if (p.tables_ready) {  // also in a block without work, before it exits (overlap.cuh)
      wait_for_prerequisites();
      launch_dependents();
    }
    if (!has_rows || n_base >= rank) return;  // the expand reads no column past the adapter's rank

    int c_begin, c_end;
    split_chunks(K, split, p.k_splits, c_begin, c_end);
    if (c_begin >= c_end && !p.partials) return;  // a partial slice must be written, even as zeros

    const int warp = threadIdx.x / 32;
    const uint16_t* x = static_cast<const uint16_t*>(p.x);
    const uint16_t* w = static_cast<const uint16_t*>(slice.w) + seg.lora * slice.w_stride_lora;
    float* v = static_cast<float*>(p.y) + (p.partials ? (split / cluster) * p.split_stride : 0) + slice.v_col;

    const int row_tiles = (seg.end - seg.begin + kWarpRows - 1) / kWarpRows;
    for (int rt = rt_first; rt < row_tiles; rt += row_tile_stride(p, row_tiles)) {
      const int row0 = seg.begin + rt * kWarpRows;
      const uint16_t* x_rows[kMTiles][2];
      lane_rows(p, x, p.ld_x, row0, seg.end, x_rows);
      float acc[kMTiles][kNTiles][4];
      if constexpr (kPipelined)
        accumulate_pipelined(x_rows, K, w, slice.w_stride_row, n_base, rank, c_begin + warp, c_end, acc, smem);
      else
        accumulate(x_rows, K, w, slice.w_stride_row, n_base, rank, c_begin + warp, c_end, acc);

      // Sum the warps' partials (into the first warp's buffer), then the cluster's blocks, and emit.
      sum_warps(smem, acc);
      if (cluster > 1) {
        reduce_cluster(p, smem, v, row0, seg, n_base, rank, cluster);
      } else {
        __syncthreads();
        for (int e = threadIdx.x; e < kWarpRows * kRankTile; e += kThreads)
          emit(p, v, row0 + e / kRankTile, n_base + e % kRankTile, seg, rank, (&smem.partial[0][0][0])[e]);
        __syncthreads();
      }
    }
  }

  // The 32-wide reduction chunks [c_begin, c_end) of h_in = K that split `split` of `splits` reduces.
  __device__ __forceinline__ static void split_chunks(int K, int split, int splits, int& c_begin, int& c_end) {
    const int total_chunks = (K + kChunk - 1) / kChunk;
    const int per_split = (total_chunks + splits - 1) / splits;
    c_begin = split * per_split;
    c_end = min(total_chunks, c_begin + per_split);
  }

  struct NoHook {
    __device__ void operator()() const {}
  };

  // acc = x_rows . w^T over the 32-wide reduction chunks c_first, c_first + kWarps, ... below c_end (this
  // warp's share); weight rows n_base + ... at or past `rank` read as zero. `before_first_loads` runs once,
  // after the addresses of the warp's first step are computed and before its loads (or at once if it has none):
  // the fused kernel waits for the previous kernel there, with its address arithmetic done (benchmarks/NOTES.md,
  // entry 40). `after_first_loads` runs once, right after those loads are issued (or at once if it has none):
  // the fused kernel issues its expand's copies there, behind the loads its shrink waits on.
  // w_stride_row by reference: read from the argument struct where used (a copy held in a register took the
  // r64 shrink from 162 to 210 registers).
  template <class Hook = NoHook, class Before = NoHook>
  __device__ __forceinline__ static void accumulate(const uint16_t* const (&x_rows)[kMTiles][2], int K,
                                                    const uint16_t* w, const int64_t& w_stride_row, int n_base,
                                                    int rank, int c_first, int c_end,
                                                    float (&acc)[kMTiles][kNTiles][4], Hook after_first_loads = {},
                                                    Before before_first_loads = {}) {
    const int lane = threadIdx.x % 32;
    const int g = lane / 4;
    const int t = lane % 4;
    zero_fill(acc);
    if (c_first >= c_end) {
      before_first_loads();
      after_first_loads();
    }

    for (int c0 = c_first; c0 < c_end; c0 += kWarps * kUnroll) {
      Vec8 xv[kUnroll][kMTiles][2];
      Vec8 wv[kUnroll][kNTiles];
      if constexpr (kVectorized && kPredicatedLoads) {
        const uint16_t* w_rows[kNTiles];  // this lane's weight rows, null past the rank: computed before the hook
#pragma unroll
        for (int nt = 0; nt < kNTiles; ++nt) {
          const int n = n_base + nt * 8 + g;
          w_rows[nt] = n < rank ? w + n * w_stride_row : nullptr;
        }
        if (c0 == c_first) before_first_loads();
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          const int c = c0 + u * kWarps;
          const bool chunk_ok = c < c_end;
          const int k = c * kChunk + 8 * t;
#pragma unroll
          for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
            for (int h = 0; h < 2; ++h)
              xv[u][mt][h] = load_vec8_predicated(x_rows[mt][h], k, K, chunk_ok && x_rows[mt][h] != nullptr);
#pragma unroll
          for (int nt = 0; nt < kNTiles; ++nt)
            wv[u][nt] = load_vec8_predicated(w_rows[nt], k, K, chunk_ok && w_rows[nt] != nullptr);
        }
      } else {  // the shrink kernel's loads, as before entry 40 (computing the rows first cost r64 pairs 3-6%);
        // a separate loop: folding the two into one changed the SASS of 48 shrink kernels (r8-r32)
        if (c0 == c_first) before_first_loads();
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          const int c = c0 + u * kWarps;
          const bool chunk_ok = c < c_end;
          const int k = c * kChunk + 8 * t;
#pragma unroll
          for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
            for (int h = 0; h < 2; ++h)
              xv[u][mt][h] = load_vec8<kVectorized>(x_rows[mt][h], k, K, chunk_ok && x_rows[mt][h] != nullptr);
#pragma unroll
          for (int nt = 0; nt < kNTiles; ++nt) {
            const int n = n_base + nt * 8 + g;
            wv[u][nt] = load_vec8<kVectorized>(w + n * w_stride_row, k, K, chunk_ok && n < rank);
          }
        }
      }
      if (c0 == c_first) after_first_loads();
#pragma unroll
      for (int u = 0; u < kUnroll; ++u)
#pragma unroll
        for (int s = 0; s < 2; ++s)
#pragma unroll
          for (int mt = 0; mt < kMTiles; ++mt) {
            uint32_t a[4];
            a_regs(xv[u][mt][0], xv[u][mt][1], s, a);
#pragma unroll
            for (int nt = 0; nt < kNTiles; ++nt)
              mma_16x8x16<T>(acc[mt][nt], a, wv[u][nt].r[2 * s], wv[u][nt].r[2 * s + 1]);
          }
    }
  }

  // accumulate's result with the loads through this thread's shared-memory slots: chunk c's pieces are copied
  // while chunk c - (kStages - 1) x kWarps is multiplied. Pieces past K, the rank or the segment are zero-filled
  // (no memory access). Each thread reads back only its own slots: no barrier.
  __device__ static void accumulate_pipelined(const uint16_t* const (&x_rows)[kMTiles][2], int K, const uint16_t* w,
                                              const int64_t& w_stride_row, int n_base, int rank, int c_first,
                                              int c_end, float (&acc)[kMTiles][kNTiles][4], SharedStorage& smem) {
    using Copy = cute::SM80_CP_ASYNC_CACHEALWAYS_ZFILL<uint4>;
    const int lane = threadIdx.x % 32;
    const int g = lane / 4;
    const int t = lane % 4;
    zero_fill(acc);

    // One cp.async group per chunk step, empty past c_end: the wait below counts groups.
    auto issue = [&](int c, int stage) {
      if (c < c_end) {
        const int k = c * kChunk + 8 * t;
#pragma unroll
        for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            const bool ok = x_rows[mt][h] != nullptr && k < K;
            Copy::copy(*reinterpret_cast<const uint4*>(ok ? x_rows[mt][h] + k : w),
                       smem.slots[stage][mt * 2 + h][threadIdx.x], ok);
          }
#pragma unroll
        for (int nt = 0; nt < kNTiles; ++nt) {
          const int n = n_base + nt * 8 + g;
          const bool ok = n < rank && k < K;
          Copy::copy(*reinterpret_cast<const uint4*>(ok ? w + n * w_stride_row + k : w),
                     smem.slots[stage][2 * kMTiles + nt][threadIdx.x], ok);
        }
      }
      cute::cp_async_fence();
    };
#pragma unroll
    for (int s = 0; s < kStages - 1; ++s) issue(c_first + s * kWarps, s);

    int stage = 0;
    for (int c = c_first; c < c_end; c += kWarps) {
      // The stage refilled here was read (and its values used) one step ago by this thread.
      issue(c + (kStages - 1) * kWarps, stage == 0 ? kStages - 1 : stage - 1);
      cute::cp_async_wait<kStages - 1>();  // chunk c's group is complete
      auto piece = [&](int i) { return vec8_of(smem.slots[stage][i][threadIdx.x]); };
      Vec8 wv[kNTiles];
#pragma unroll
      for (int nt = 0; nt < kNTiles; ++nt) wv[nt] = piece(2 * kMTiles + nt);
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt) {
        const Vec8 top = piece(mt * 2), bottom = piece(mt * 2 + 1);
#pragma unroll
        for (int s = 0; s < 2; ++s) {
          uint32_t a[4];
          a_regs(top, bottom, s, a);
#pragma unroll
          for (int nt = 0; nt < kNTiles; ++nt) mma_16x8x16<T>(acc[mt][nt], a, wv[nt].r[2 * s], wv[nt].r[2 * s + 1]);
        }
      }
      stage = stage == kStages - 1 ? 0 : stage + 1;
    }
  }

  // The grid handoff's layout of the partial tiles (store_warps<kSwizzledPartials>, read by Handoff::add_warp_sums):
  // each row's 16-byte pieces permuted, logical piece j of row r at piece j ^ piece_swizzle(r). A warp's 8-byte
  // stores touch 8 rows at once; rows of 32 floats or more all start on the same bank, which took 4x the
  // shared-memory wavefronts (benchmarks/NOTES.md, entry 133). The XOR spreads those rows over every bank and keeps
  // each 16-byte piece whole. Narrower rows (ranks 8 and 16) keep the plain layout: at most 2x there, and the
  // rank-16 kernels measured 1-1.5% slower swizzled.
  static constexpr bool kSwizzledPartials = kRankTile >= 32;
  __device__ __forceinline__ static constexpr int piece_swizzle(int row) { return 2 * (row & 3); }
  // The map Handoff::add_warp_sums reads the partial tiles through: piece_swizzle, or nullptr for the plain layout.
  __device__ __forceinline__ static constexpr auto partial_swizzle() {
    if constexpr (kSwizzledPartials)
      return [](int row) { return piece_swizzle(row); };
    else
      return nullptr;
  }

  // Each warp's acc into smem.partial[warp] (the block's tile is their sum, once a barrier has passed).
  template <bool kSwizzled = false>
  __device__ __forceinline__ static void store_warps(SharedStorage& smem, const float (&acc)[kMTiles][kNTiles][4]) {
    store_tile<kSwizzled>(smem.partial[threadIdx.x / 32], acc);
  }

  // This warp's acc into `tile` from column col0 on (the fused kernel's rank halves: a row of both halves' columns,
  // kRowFloats; the swizzle over the whole row keeps each 16-byte piece in its half).
  template <bool kSwizzled, int kRowFloats>
  __device__ __forceinline__ static void store_tile(float (&tile)[kWarpRows][kRowFloats],
                                                    const float (&acc)[kMTiles][kNTiles][4], int col0 = 0) {
    const int g = (threadIdx.x % 32) / 4;
    const int t = threadIdx.x % 4;
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int nt = 0; nt < kNTiles; ++nt)
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          const int row = mt * 16 + g + (i >= 2 ? 8 : 0);
          const int col = col0 + nt * 8 + 2 * t + (i & 1);
          tile[row][kSwizzled ? 4 * ((col / 4) ^ piece_swizzle(row)) + col % 4 : col] = acc[mt][nt][i];
        }
  }

  // The block's tile: every warp's acc summed into smem.partial[0] (visible to the block after a barrier). The grid
  // handoff sums the warps' tiles as it adds them into v instead (Handoff::add_warp_sums).
  __device__ __forceinline__ static void sum_warps(SharedStorage& smem, const float (&acc)[kMTiles][kNTiles][4]) {
    store_warps(smem, acc);
    __syncthreads();
    for (int e = threadIdx.x; e < kWarpRows * kRankTile; e += kThreads) {
      float sum = 0.f;
#pragma unroll
      for (int wi = 0; wi < kWarps; ++wi) sum += (&smem.partial[wi][0][0])[e];
      (&smem.partial[0][0][0])[e] = sum;
    }
  }

  __device__ static void emit(const SgmvParams& p, float* v, int row, int n, const Segment& seg, int rank, float sum) {
    if (row < seg.end && n < rank) {
      float* out = v + physical_row(p, row) * p.ld_y + n;
      if (p.partials)
        *out = seg.scale * sum;
      else
        atomicAdd(out, seg.scale * sum);
    }
  }

  // The blocks of one cluster hold partial tiles of consecutive splits; each block sums a share of the
  // tile's 4-float pieces over all of them (distributed shared memory) and stores it into the cluster's slice.
  __device__ static void reduce_cluster(const SgmvParams& p, SharedStorage& smem, float* v, int row0,
                                        const Segment& seg, int n_base, int rank, int cluster) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    static_assert(kRankTile % 4 == 0, "the tile is summed in 4-float pieces");
    namespace cg = cooperative_groups;
    cg::cluster_group group = cg::this_cluster();
    group.sync();  // every block's tile is summed and visible
    const int me = static_cast<int>(group.block_rank());
    const float* local = &smem.partial[0][0][0];
    for (int e = 4 * (me * kThreads + threadIdx.x); e < kWarpRows * kRankTile; e += 4 * cluster * kThreads) {
      const float4 sum = cluster_sum4(local + e, cluster);
      const float parts[4] = {sum.x, sum.y, sum.z, sum.w};
#pragma unroll
      for (int i = 0; i < 4; ++i)
        emit(p, v, row0 + (e + i) / kRankTile, n_base + (e + i) % kRankTile, seg, rank, parts[i]);
    }
    group.sync();  // no block leaves (or reuses its tile) while others still read it
#endif
  }
};

}  // namespace sgmv
