// SGMV expand: y[rows of s] += scale_s * v[rows of s] @ B[l_s]^T   (M = rows, N = h_out, K = r).
//
// Grid: x = segment, y = column tile of h_out (the tiles of every output slice, one after another; for a
// pipelined kernel, a run of p.col_tiles_per_block of them), z = row-tile group; with p.flat_tiles, x = 1 and
// z = row tile of the whole batch (locate_tile). Each warp
// owns kColTiles tiles of 32 output columns. The MMA's eight-column groups are interleaved so that lane
// (g, t) accumulates the 8 contiguous columns [8t, 8t + 8) of each of its warp's tiles: y is read and
// written once, in 16-byte vectors. v stays float32: it enters the tensor
// cores as a high and a low 16-bit part (v = hi + lo), so the product carries about 16 bits of v's
// mantissa, not 8. With p.partials, v is the sum of p.k_splits slices written by a split-K shrink; the
// block sums them while staging v in shared memory, one 32-wide chunk of the reduction at a time.
// With p.ranks, the reduction stops at the 32-wide chunk that holds each adapter's true rank, and the v
// and weight columns past the true rank are zeroed before the MMA. Loads and the chunk loop's trip count
// stay those of the slice's rank, which a specialized kernel knows at compile time (dispatch gives it only
// slices of exactly its rank). Measured (benchmarks/NOTES.md, entries 6 and 8): a trip count from the
// true rank cost the r16 expand 37 registers a thread and 15-20% on large decode batches; loads bounded
// by the true rank cost 7-10% on r64 decode batches of plain calls and gained mixed-rank batches ~1%.
#pragma once
#include <type_traits>

#include <cute/arch/copy_sm80.hpp>

#include "fragments.cuh"
#include "overlap.cuh"
#include "segments.cuh"

namespace sgmv {

// Physical column, within a warp's 32-column tile, of MMA n-tile j's column n (0..7).
__device__ __forceinline__ int interleaved_column(int j, int n) { return (n >> 1) * 8 + 2 * j + (n & 1); }

// The output slice whose column tiles hold `tile` (slices' tiles follow one another).
__device__ __forceinline__ int slice_of_tile(const SgmvParams& p, int tile) {
  int slice_index = 0;
  for (int s = 1; s < p.num_slices; ++s)
    if (tile >= p.slices[s].tile_begin) slice_index = s;
  return slice_index;
}

constexpr int kSliceUnroll = 8;  // partial slices of v loaded at once (dispatch: MAX_PARTIAL_SLICES)

// The whole block stages 32-wide chunk k0 of v's row tile (kRows rows from segment row row0) into shared
// memory, summing the partial slices: each thread loads 4-float pieces of every slice, all slices of a piece
// in flight together.
template <int kRows, int kThreads, bool kVectorized>
__device__ void stage_v_chunk(const SgmvParams& p, const float* v, int row0, int seg_end, int k0, int rank,
                              int true_rank, float* dst, int pitch) {
  constexpr int kPiecesPerRow = kChunk / 4;
  for (int piece = threadIdx.x; piece < kRows * kPiecesPerRow; piece += kThreads) {
    const int r = piece / kPiecesPerRow;
    const int kk = (piece % kPiecesPerRow) * 4;
    const int row = row0 + r;
    const bool valid = row < seg_end && k0 + kk < rank;
    const float* src = v + (valid ? physical_row(p, row) * p.ld_x : 0) + k0 + kk;
    float sum[4] = {0.f, 0.f, 0.f, 0.f};
    for (int s0 = 0; s0 < p.k_splits; s0 += kSliceUnroll) {
      float part[kSliceUnroll][4];
#pragma unroll
      for (int u = 0; u < kSliceUnroll; ++u) {
        const bool ok = valid && s0 + u < p.k_splits;
        const float* q = src + (s0 + u) * p.split_stride;
        if (kVectorized && ok) {
          const float4 f = __ldg(reinterpret_cast<const float4*>(q));
          part[u][0] = f.x; part[u][1] = f.y; part[u][2] = f.z; part[u][3] = f.w;
        } else {
#pragma unroll
          for (int i = 0; i < 4; ++i) part[u][i] = (!kVectorized && ok && k0 + kk + i < rank) ? q[i] : 0.f;
        }
      }
#pragma unroll
      for (int u = 0; u < kSliceUnroll; ++u)
#pragma unroll
        for (int i = 0; i < 4; ++i) sum[i] += part[u][i];
    }
#pragma unroll
    for (int i = 0; i < 4; ++i) dst[r * pitch + kk + i] = k0 + kk + i < true_rank ? sum[i] : 0.f;
  }
}

template <class T, int kRank, int kHidden, int kWarps, int kWarpRows, int kColTiles, bool kVectorized,
          int kStages = 0>
struct ExpandTile {
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kMTiles = kWarpRows / 16;
  static constexpr int kWarpCols = 32 * kColTiles;
  static constexpr int kBlockCols = kWarps * kWarpCols;
  static_assert(kWarpRows % 16 == 0, "row tile is a multiple of the 16-row MMA");
  static_assert(kRank == 0 || !kVectorized || kRank % 8 == 0, "vectorized weight rows hold whole 16-byte vectors");
  static_assert(kHidden == 0 || !kVectorized || kHidden % 8 == 0, "vectorized output rows hold whole 16-byte vectors");

  // Weight chunks loaded before waiting on the shrink: all of them up to rank 64, else one at a time.
  static constexpr int kPrefetch = (kRank > 0 && kRank <= 2 * kChunk) ? (kRank + kChunk - 1) / kChunk : 1;
  static constexpr int kPitch = kChunk + 4;  // floats per staged row (padded against bank conflicts)

  // kStages > 0, pipelined blocks (codegen gives stages to tall tiles, vectorized, of a specialized rank up to
  // 64): a block streams p.col_tiles_per_block consecutive column tiles of its row tile, with the B fragments
  // and y pieces of the next kStages - 1 tiles in flight (cp.async into shared memory) while it multiplies and
  // stores the current one. A block per column tile instead spends most of its short life waiting on one
  // chain of loads (the segment table, then B and y, then v). Measured (benchmarks/NOTES.md, entry 12):
  // prefill expands 1.3-1.5x faster; for 16-row (decode) tiles the stages' shared memory cost small batches
  // up to 3 us beside the shrink, so those keep a block per column tile and their loads in registers.
  static constexpr bool kPipelined = kStages > 0;
  static_assert(!kPipelined || (kVectorized && kRank > 0 && kRank <= 2 * kChunk && kStages >= 2),
                "a stage holds every chunk of B's 16-byte fragments: a specialized rank up to 64, whole vectors");
  static constexpr int kVPitch = kPrefetch * kChunk + 4;  // floats per row of the staged v (every chunk)

  struct StagedChunk {
    float v[kWarpRows][kPitch];  // one 32-wide chunk of v for the row tile, slices summed
  };
  struct PipelineStorage {
    float v[kWarpRows][kVPitch];                          // the row tile's v (one slice), every chunk
    uint4 w[kPipelined ? kStages : 1][kPrefetch][kColTiles][4][kThreads];  // each thread's B fragments, per stage
    uint4 y[kPipelined ? kStages : 1][kMTiles][2][kColTiles][kThreads];    // each thread's pieces of y, per stage
  };
  using SharedStorage = std::conditional_t<kPipelined, PipelineStorage, StagedChunk>;

  __device__ static void stage_v(const SgmvParams& p, const float* v, int row0, int seg_end, int k0, int rank,
                                 int true_rank, float* dst, int pitch) {
    stage_v_chunk<kWarpRows, kThreads, kVectorized>(p, v, row0, seg_end, k0, rank, true_rank, dst, pitch);
  }

  // v's rows g and g + 8 of m-tile mt, reduction offsets [8t, 8t + 8) of a staged 32-wide chunk (rows
  // `pitch` floats apart in shared memory), as hi + lo parts.
  __device__ __forceinline__ static void split_v(const float* chunk_v, int pitch, Vec8 (&hi)[kMTiles][2],
                                                 Vec8 (&lo)[kMTiles][2]) {
    using Traits = ElementTraits<T>;
    const int lane = threadIdx.x % 32;
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const float* f = chunk_v + (mt * 16 + h * 8 + lane / 4) * pitch + 8 * (lane % 4);
#pragma unroll
        for (int q = 0; q < 4; ++q) {
          hi[mt][h].r[q] = Traits::pack(f[2 * q], f[2 * q + 1]);
          const float2 back = Traits::unpack(hi[mt][h].r[q]);
          lo[mt][h].r[q] = Traits::pack(f[2 * q] - back.x, f[2 * q + 1] - back.y);
        }
      }
  }

  // The weight rows lane (g, t) feeds into its MMAs for reduction chunk k0 (B operand, interleaved columns).
  __device__ static void load_weights(const uint16_t* w, int64_t w_stride_row, int n0, int k0, int rank, int N,
                                      Vec8 (&bv)[kColTiles][4]) {
    const int lane = threadIdx.x % 32;
#pragma unroll
    for (int ct = 0; ct < kColTiles; ++ct)
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int col = n0 + ct * 32 + interleaved_column(j, lane / 4);
        bv[ct][j] = load_vec8<kVectorized>(w + col * w_stride_row, k0 + 8 * (lane % 4), rank, col < N);
      }
  }

  // Zeroes the weight elements past the adapter's true rank in chunk c (uniform branch): padding must not
  // reach the MMA (0 * NaN).
  __device__ __forceinline__ static void mask_weights(int c, int rank, int true_rank, Vec8 (&bv)[kColTiles][4]) {
    if (true_rank < rank) {
      const int left = true_rank - (c * kChunk + 8 * (threadIdx.x % 4));
#pragma unroll
      for (int ct = 0; ct < kColTiles; ++ct)
#pragma unroll
        for (int j = 0; j < 4; ++j) zero_tail(bv[ct][j], left);
    }
  }

  // acc += v_chunk @ B_chunk^T for one staged 32-wide chunk of v (rows `pitch` floats apart).
  __device__ __forceinline__ static void multiply(const float* chunk_v, int pitch, const Vec8 (&bv)[kColTiles][4],
                                                  float (&acc)[kMTiles][kColTiles][4][4]) {
    Vec8 hi[kMTiles][2], lo[kMTiles][2];
    split_v(chunk_v, pitch, hi, lo);
#pragma unroll
    for (int s = 0; s < 2; ++s)
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt) {
        uint32_t a_hi[4], a_lo[4];
        a_regs(hi[mt][0], hi[mt][1], s, a_hi);
        a_regs(lo[mt][0], lo[mt][1], s, a_lo);
        multiply_step(a_hi, a_lo, bv, s, acc[mt]);
      }
  }

  // One m-tile's k-step s of a chunk: acc += (a_hi + a_lo) times B's fragments.
  __device__ __forceinline__ static void multiply_step(const uint32_t (&a_hi)[4], const uint32_t (&a_lo)[4],
                                                       const Vec8 (&bv)[kColTiles][4], int s,
                                                       float (&acc)[kColTiles][4][4]) {
#pragma unroll
    for (int ct = 0; ct < kColTiles; ++ct)
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        mma_16x8x16<T>(acc[ct][j], a_hi, bv[ct][j].r[2 * s], bv[ct][j].r[2 * s + 1]);
#if !defined(SGMV_PROBE_V_ONE_PART)  // a probe only: v rounded once to 16 bits, no low part (NOTES entry 363)
        mma_16x8x16<T>(acc[ct][j], a_lo, bv[ct][j].r[2 * s], bv[ct][j].r[2 * s + 1]);
#endif
      }
  }

  // v staged as the MMAs take it (the fused kernel's; benchmarks/NOTES.md, entry 262): split_v's high and low parts,
  // computed once where the block stages v, not by every warp for every chunk and column tile, and laid out as A
  // operands: the 16 bytes a lane loads for (m-tile mt, k-step s, part) are a_regs' four registers for rows g and
  // g + 8 and its 8 columns [8t, 8t + 8) of a chunk. A line per (mt, g) holds four sections (hi s0, hi s1, lo s0,
  // lo s1) of one 16-byte piece per 8-column group; the line's 4 pieces of padding put the 8 lanes of a load's
  // quarter-warp on distinct banks.
  static constexpr int kSplitGroups = 4 * ((kRank + kChunk - 1) / kChunk);  // 8-column groups of v a row
  static constexpr int kSplitPitch = 4 * kSplitGroups + 4;                  // 16-byte pieces a line
  using SplitV = uint4[kMTiles * 8][kSplitPitch];

  // Stores the 4-float piece f of v's row `row` at column `col` (a multiple of 4) into `v`.
  __device__ __forceinline__ static void store_split(SplitV& v, int row, int col, float4 f) {
    using Traits = ElementTraits<T>;
    const uint32_t hi[2] = {Traits::pack(f.x, f.y), Traits::pack(f.z, f.w)};
    const float2 back[2] = {Traits::unpack(hi[0]), Traits::unpack(hi[1])};
    const uint32_t lo[2] = {Traits::pack(f.x - back[0].x, f.y - back[0].y),
                            Traits::pack(f.z - back[1].x, f.w - back[1].y)};
    uint32_t* line = reinterpret_cast<uint32_t*>(&v[row / 16 * 8 + row % 8][0]);
    const int bottom = row % 16 / 8;  // a_regs' bottom row
    const int s = col % 8 / 4;        // the pairs (2s, 2s + 1) of the 8-column group: k-step s
#pragma unroll
    for (int q = 0; q < 2; ++q) {  // pair 2s + q: a_regs' register 2q + bottom
      line[4 * (s * kSplitGroups + col / 8) + 2 * q + bottom] = hi[q];
#if !defined(SGMV_PROBE_V_ONE_PART)
      line[4 * ((2 + s) * kSplitGroups + col / 8) + 2 * q + bottom] = lo[q];
#endif
    }
  }

  // acc += v_chunk @ B_chunk^T for chunk c of v staged by store_split.
  __device__ __forceinline__ static void multiply_split(const SplitV& v, int c, const Vec8 (&bv)[kColTiles][4],
                                                        float (&acc)[kMTiles][kColTiles][4][4]) {
    const int lane = threadIdx.x % 32;
    const int group = 4 * c + lane % 4;
#pragma unroll
    for (int s = 0; s < 2; ++s)
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt) {
        const uint4* line = v[mt * 8 + lane / 4];
        const uint4 hi = line[s * kSplitGroups + group], lo = line[(2 + s) * kSplitGroups + group];
        const uint32_t a_hi[4] = {hi.x, hi.y, hi.z, hi.w}, a_lo[4] = {lo.x, lo.y, lo.z, lo.w};
        multiply_step(a_hi, a_lo, bv, s, acc[mt]);
      }
  }

  // One 32-wide reduction chunk: stage v's chunk (all warps), then acc += v_chunk @ B_chunk^T.
  __device__ static void chunk(const SgmvParams& p, StagedChunk& smem, const float* v, int row0, int seg_end,
                               int c, int rank, int true_rank, Vec8 (&bv)[kColTiles][4],
                               float (&acc)[kMTiles][kColTiles][4][4]) {
    __syncthreads();  // the previous chunk's staged v has been read
    stage_v(p, v, row0, seg_end, c * kChunk, rank, true_rank, &smem.v[0][0], kPitch);
    mask_weights(c, rank, true_rank, bv);
    __syncthreads();
    multiply(&smem.v[0][0], kPitch, bv, acc);
  }

  // This lane's 16-byte pieces of y: columns n0 + 32 ct + [8t, 8t + 8) of rows g and g + 8 of each m-tile.
  __device__ __forceinline__ static void load_y(uint16_t* const (&y_rows)[kMTiles][2], int n0, int N,
                                                Vec8 (&yv)[kMTiles][2][kColTiles]) {
    const int t = threadIdx.x % 4;
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h)
#pragma unroll
        for (int ct = 0; ct < kColTiles; ++ct)
          yv[mt][h][ct] = load_vec8<kVectorized>(y_rows[mt][h], n0 + ct * 32 + 8 * t, N, y_rows[mt][h] != nullptr);
  }

  // y = y_loaded + scale * acc, stored in 16-byte vectors where whole. Lane (g, t) holds columns
  // 8t + (2j + e) of each 32-column tile, rows g (i = e) and g + 8 (i = 2 + e).
  __device__ __forceinline__ static void store_y(uint16_t* const (&y_rows)[kMTiles][2], int n0, int N, float scale,
                                                 const Vec8 (&yv)[kMTiles][2][kColTiles],
                                                 const float (&acc)[kMTiles][kColTiles][4][4]) {
    using Traits = ElementTraits<T>;
    const int t = threadIdx.x % 4;
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        if (y_rows[mt][h] == nullptr) continue;
#pragma unroll
        for (int ct = 0; ct < kColTiles; ++ct) {
          const int col = n0 + ct * 32 + 8 * t;
          if (col >= N) continue;
          uint16_t* out = y_rows[mt][h] + col;
          float d[8];
#pragma unroll
          for (int j = 0; j < 4; ++j) {
            d[2 * j] = scale * acc[mt][ct][j][2 * h];
            d[2 * j + 1] = scale * acc[mt][ct][j][2 * h + 1];
          }
          uint32_t r[4];
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            const float2 cur = Traits::unpack(yv[mt][h][ct].r[i]);
            r[i] = Traits::pack(cur.x + d[2 * i], cur.y + d[2 * i + 1]);
          }
          if (kVectorized && col + 8 <= N) {
            *reinterpret_cast<uint4*>(out) = make_uint4(r[0], r[1], r[2], r[3]);
          } else {
            const uint16_t* e = reinterpret_cast<const uint16_t*>(r);
#pragma unroll
            for (int i = 0; i < 8; ++i)
              if (col + i < N) out[i] = e[i];
          }
        }
      }
  }

  __device__ static void run(const SgmvParams& p, SharedStorage& smem) {
    if constexpr (kPipelined)
      run_pipelined(p, smem);
    else
      run_staged(p, smem);
  }

  // One column tile of a pipelined block, as this warp sees it.
  struct ColumnTile {
    int slice;              // index into p.slices
    const uint16_t* w;      // the segment's adapter's B of that slice
    int n0;                 // this warp's first column in the slice
    int N;                  // the slice's h_out
  };

  __device__ __forceinline__ static ColumnTile column_tile(const SgmvParams& p, const Segment& seg, int tile) {
    ColumnTile ct;
    ct.slice = slice_of_tile(p, tile);
    const SgmvSlice& slice = p.slices[ct.slice];
    ct.w = static_cast<const uint16_t*>(slice.w) + seg.lora * slice.w_stride_lora;
    ct.n0 = (tile - slice.tile_begin) * kBlockCols + (static_cast<int>(threadIdx.x) / 32) * kWarpCols;
    ct.N = kHidden ? kHidden : slice.hidden;
    return ct;
  }

  // This thread's rows of y for the slice starting at column y_col (null past the segment's end).
  __device__ __forceinline__ static void offset_rows(uint16_t* const (&base)[kMTiles][2], int y_col,
                                                     uint16_t* (&rows)[kMTiles][2]) {
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) rows[mt][h] = base[mt][h] ? base[mt][h] + y_col : nullptr;
  }

  // Issues the copies of this thread's B fragments and y pieces for column tile `ct` into stage `stage`
  // (one cp.async group); pieces past the slice, the rank or the segment are zero-filled.
  __device__ static void prefetch_tile(const SgmvParams& p, const ColumnTile& ct, uint16_t* const (&y_rows)[kMTiles][2],
                                       int stage, PipelineStorage& smem) {
    using Copy = cute::SM80_CP_ASYNC_CACHEGLOBAL_ZFILL<uint4>;
    const int lane = threadIdx.x % 32;
    const int t = lane % 4;
    const int64_t w_stride_row = p.slices[ct.slice].w_stride_row;
#pragma unroll
    for (int c = 0; c < kPrefetch; ++c)
#pragma unroll
      for (int j4 = 0; j4 < kColTiles * 4; ++j4) {
        const int col = ct.n0 + (j4 / 4) * 32 + interleaved_column(j4 % 4, lane / 4);
        const int k = c * kChunk + 8 * t;
        const bool ok = col < ct.N && k < kRank;
        const uint16_t* src = ok ? ct.w + col * w_stride_row + k : ct.w;
        Copy::copy(*reinterpret_cast<const uint4*>(src), smem.w[stage][c][j4 / 4][j4 % 4][threadIdx.x], ok);
      }
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h)
#pragma unroll
        for (int c = 0; c < kColTiles; ++c) {
          const int col = ct.n0 + c * 32 + 8 * t;
          const bool ok = y_rows[mt][h] != nullptr && col < ct.N;
          const uint16_t* src = ok ? y_rows[mt][h] + col : ct.w;
          Copy::copy(*reinterpret_cast<const uint4*>(src), smem.y[stage][mt][h][c][threadIdx.x], ok);
        }
  }

  __device__ static void run_pipelined(const SgmvParams& p, PipelineStorage& smem) {
    Segment seg;
    int rt_first;
    if (!block_rows<kWarpRows, kThreads>(p, blockIdx.x, seg, rt_first)) return;
    const int true_rank = adapter_rank(p, seg.lora, kRank);
    if (true_rank == 0) return;

    const SgmvSlice& last = p.slices[p.num_slices - 1];
    const int tiles = last.tile_begin + ((kHidden ? kHidden : last.hidden) + kBlockCols - 1) / kBlockCols;
    const int t_begin = static_cast<int>(blockIdx.y) * p.col_tiles_per_block;
    const int t_end = min(tiles, t_begin + p.col_tiles_per_block);
    uint16_t* const y = static_cast<uint16_t*>(p.y);
    bool waited = false;

    const int row_tiles = (seg.end - seg.begin + kWarpRows - 1) / kWarpRows;
    for (int rt = rt_first; rt < row_tiles; rt += row_tile_stride(p, row_tiles)) {
      const int row0 = seg.begin + rt * kWarpRows;
      uint16_t* y_base[kMTiles][2];
      lane_rows(p, y, p.ld_y, row0, seg.end, y_base);

      // The first stages do not depend on the shrink: in flight before waiting for it.
#pragma unroll
      for (int i = 0; i < kStages - 1; ++i) {
        if (t_begin + i < t_end) {
          const ColumnTile ct = column_tile(p, seg, t_begin + i);
          uint16_t* y_rows[kMTiles][2];
          offset_rows(y_base, p.slices[ct.slice].y_col, y_rows);
          prefetch_tile(p, ct, y_rows, i, smem);
        }
        cute::cp_async_fence();  // one group per stage, empty or not: the waits below count groups
      }
      if (!waited) {
        wait_for_prerequisites();  // no launch_dependents here: see overlap.cuh
        waited = true;
      }

      int staged_slice = -1;  // the slice whose v is in smem.v
      for (int tile = t_begin; tile < t_end; ++tile) {
        const int i = tile - t_begin;
        if (tile + kStages - 1 < t_end) {  // this thread read that stage's slots one tile ago
          const ColumnTile next = column_tile(p, seg, tile + kStages - 1);
          uint16_t* y_rows[kMTiles][2];
          offset_rows(y_base, p.slices[next.slice].y_col, y_rows);
          prefetch_tile(p, next, y_rows, (i + kStages - 1) % kStages, smem);
        }
        cute::cp_async_fence();
        cute::cp_async_wait<kStages - 1>();  // this tile's group is complete: this thread's own slots, no barrier

        const ColumnTile ct = column_tile(p, seg, tile);
        if (ct.slice != staged_slice) {  // uniform: v of the tile's slice, every chunk, slices summed
          const float* v = static_cast<const float*>(p.x) + p.slices[ct.slice].v_col;
          __syncthreads();  // every warp is done with the previous v
#pragma unroll
          for (int c = 0; c < kPrefetch; ++c)
            stage_v(p, v, row0, seg.end, c * kChunk, kRank, true_rank, &smem.v[0][c * kChunk], kVPitch);
          __syncthreads();
          staged_slice = ct.slice;
        }

        const int stage = i % kStages;
        float acc[kMTiles][kColTiles][4][4];
        zero_fill(acc);
#pragma unroll
        for (int c = 0; c < kPrefetch; ++c) {
          if (c * kChunk >= true_rank) break;  // uniform: chunks past the adapter's true rank
          Vec8 bv[kColTiles][4];
#pragma unroll
          for (int cc = 0; cc < kColTiles; ++cc)
#pragma unroll
            for (int j = 0; j < 4; ++j) bv[cc][j] = vec8_of(smem.w[stage][c][cc][j][threadIdx.x]);
          mask_weights(c, kRank, true_rank, bv);
          multiply(&smem.v[0][c * kChunk], kVPitch, bv, acc);
        }
        Vec8 yv[kMTiles][2][kColTiles];
#pragma unroll
        for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
          for (int h = 0; h < 2; ++h)
#pragma unroll
            for (int c = 0; c < kColTiles; ++c) yv[mt][h][c] = vec8_of(smem.y[stage][mt][h][c][threadIdx.x]);
        uint16_t* y_rows[kMTiles][2];
        offset_rows(y_base, p.slices[ct.slice].y_col, y_rows);
        store_y(y_rows, ct.n0, ct.N, seg.scale, yv, acc);
      }
    }
  }

  // A block per column tile (grid y), its loads in registers: generic, unaligned and rank-128 kernels.
  __device__ static void run_staged(const SgmvParams& p, StagedChunk& smem) {
    const int slice_index = slice_of_tile(p, static_cast<int>(blockIdx.y));
    const SgmvSlice& slice = p.slices[slice_index];
    const int N = kHidden ? kHidden : slice.hidden;

    Segment seg;
    int rt_first;
    if (!block_rows<kWarpRows, kThreads>(p, blockIdx.x, seg, rt_first)) return;
    const int rank = kRank ? kRank : slice.rank;  // the slice's (padded) rank: bounds every load
    const int true_rank = adapter_rank(p, seg.lora, rank);
    if (true_rank == 0) return;

    const int warp = threadIdx.x / 32;
    const int n0 = (blockIdx.y - slice.tile_begin) * kBlockCols + warp * kWarpCols;  // warps past N still stage v

    const float* v = static_cast<const float*>(p.x) + slice.v_col;
    uint16_t* y = static_cast<uint16_t*>(p.y) + slice.y_col;
    const uint16_t* w = static_cast<const uint16_t*>(slice.w) + seg.lora * slice.w_stride_lora;
    const int k_chunks = (rank + kChunk - 1) / kChunk;  // compile-time when specialized (a runtime trip count
                                                         // here cost the r16 expand 38 registers)
    bool waited = false;

    const int row_tiles = (seg.end - seg.begin + kWarpRows - 1) / kWarpRows;
    for (int rt = rt_first; rt < row_tiles; rt += row_tile_stride(p, row_tiles)) {
      const int row0 = seg.begin + rt * kWarpRows;
      uint16_t* y_rows[kMTiles][2];
      lane_rows(p, y, p.ld_y, row0, seg.end, y_rows);
      float acc[kMTiles][kColTiles][4][4];
      zero_fill(acc);

      // Issue the loads that do not depend on the shrink first: the weights (every chunk, up to rank 64)
      // and y.
      Vec8 bv[kPrefetch][kColTiles][4];
#pragma unroll
      for (int c = 0; c < kPrefetch; ++c) load_weights(w, slice.w_stride_row, n0, c * kChunk, rank, N, bv[c]);
      Vec8 yv[kMTiles][2][kColTiles];
      load_y(y_rows, n0, N, yv);
      if (!waited) {  // everything above is in flight; v comes from the shrink
        wait_for_prerequisites();
        launch_dependents();  // the next kernel's blocks may start while this one finishes (overlap.cuh)
        waited = true;
      }
      if constexpr (kPrefetch > 1) {
#pragma unroll
        for (int c = 0; c < kPrefetch; ++c)
          if (c * kChunk < true_rank) chunk(p, smem, v, row0, seg.end, c, rank, true_rank, bv[c], acc);  // uniform
      } else {
#pragma unroll 1
        for (int c = 0; c < k_chunks; ++c) {
          if (c * kChunk >= true_rank) break;  // uniform: chunks past the adapter's true rank
          if (c > 0) load_weights(w, slice.w_stride_row, n0, c * kChunk, rank, N, bv[0]);
          chunk(p, smem, v, row0, seg.end, c, rank, true_rank, bv[0], acc);
        }
      }

      store_y(y_rows, n0, N, seg.scale, yv, acc);
    }
  }
};

}  // namespace sgmv
