// SGMV expand for segments of a few rows (decode batches, one adapter per row or nearly): the MMA's operands
// swapped. y[rows, cols] += scale * v[rows, k] @ B[cols, k]^T is computed as its transpose,
// y^T = B @ v^T: 16 output columns (weight rows) are the m16n8k16 MMA's A operand and the tile's 8 rows of v
// its 8-column B operand. A lane then accumulates 2 rows of y (not the 16-row tile's 4) and holds 2 pieces of
// y per 64 columns (not 4), so the registers that ExpandTile spends on rows a distinct batch does not have
// hold more of B in flight: 512 columns a block at rank <= 16 (256 in ExpandTile's decode tile).
//
// Grid and slices as ExpandTile's decode path (expand.cuh): x = segment, y = column tile of the output slices,
// z = row-tile group of 8-row tiles (or, with p.flat_tiles, the batch's row tile). A block loads its B
// fragments once and keeps them over its row tiles. Vectorized, rank-specialized (8-64) kernels only; the
// default grid compiles ranks 8 and 16 (codegen/spec.py: NARROW_MAX_RANK; rank 64 lost to ExpandTile).
//
// Layout. Each warp covers kColGroups groups of 64 columns, a group as 4 m-tiles j of 16: lane (g, t) feeds
// columns 8g + j (MMA row g) and 8g + 4 + j (MMA row g + 8) of m-tile j, so over the 4 m-tiles it accumulates
// the 8 contiguous columns [8g, 8g + 8) of rows 2t and 2t + 1 (the MMA's columns): y is read and written in
// 16-byte vectors. The reduction is permuted as in fragments.cuh: lane t loads kLaneK contiguous elements of a
// weight row per chunk; k16 step s uses its pairs 2s and 2s + 1, and v's matching 4 floats.
#pragma once
#include "expand.cuh"

namespace sgmv {

template <class T, int kRank, int kHidden, int kWarps, int kColGroups>
struct NarrowExpandTile {
  static constexpr int kRows = 8;  // rows per tile: the MMA's n
  static constexpr int kThreads = 32 * kWarps;
  static constexpr int kWarpCols = 64 * kColGroups;
  static constexpr int kBlockCols = kWarps * kWarpCols;
  static_assert(kRank > 0 && kRank % 8 == 0 && kRank <= 2 * kChunk, "a specialized rank of 8-64");
  static_assert(kHidden % 8 == 0, "output rows hold whole 16-byte vectors");

  // Elements of a weight row a lane loads per chunk: 4 (8 bytes) up to rank 16, so no lane loads only padding
  // at rank 16; else 8 (16 bytes, as ExpandTile).
  static constexpr int kLaneK = kRank <= 16 ? 4 : 8;
  static constexpr int kStepK = 4 * kLaneK;  // reduction elements per chunk
  static constexpr int kChunks = (kRank + kStepK - 1) / kStepK;
  static constexpr int kSteps = kLaneK / 4;  // k16 MMA steps per chunk
  static constexpr int kVChunks = (kRank + kChunk - 1) / kChunk;  // 32-wide chunks of v staged
  static constexpr int kVPitch = kVChunks * kChunk + 4;          // floats per staged row (padded)

  struct Piece {
    uint32_t r[kLaneK / 2];  // packed pairs of a weight row
  };
  using Weights = Piece[kChunks][kColGroups][4][2];  // chunk, group, m-tile j, column 8g + j (0) or 8g + 4 + j (1)
  using Acc = float[kColGroups][4][4];

  struct SharedStorage {
    float v[kRows][kVPitch];  // the row tile of v, every chunk, partial slices summed, zero past the true rank
  };

  __device__ __forceinline__ static Piece load_piece(const uint16_t* row, int k) {
    Piece q;
    if constexpr (kLaneK == 8) {
      const uint4 u = __ldg(reinterpret_cast<const uint4*>(row + k));
      q.r[0] = u.x; q.r[1] = u.y; q.r[2] = u.z; q.r[3] = u.w;
    } else {
      const uint2 u = __ldg(reinterpret_cast<const uint2*>(row + k));
      q.r[0] = u.x; q.r[1] = u.y;
    }
    return q;
  }

  // This lane's weight pieces for the warp's columns from n0 (zero past N or the rank). Nothing here uses a
  // loaded value: every load is in flight before the first use.
  __device__ static void load_weights(const uint16_t* w, int64_t w_stride_row, int n0, int N, Weights& bw) {
    const int lane = threadIdx.x % 32;
    const int g = lane / 4, t = lane % 4;
#pragma unroll
    for (int c = 0; c < kChunks; ++c)
#pragma unroll
      for (int grp = 0; grp < kColGroups; ++grp)
#pragma unroll
        for (int j = 0; j < 4; ++j)
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            const int col = n0 + grp * 64 + 8 * g + 4 * h + j;
            const int k = c * kStepK + kLaneK * t;
            Piece& q = bw[c][grp][j][h];
#pragma unroll
            for (int i = 0; i < kLaneK / 2; ++i) q.r[i] = 0u;
            if (col < N && k < kRank) q = load_piece(w + col * w_stride_row, k);
          }
  }

  // Zeroes the weight elements past the adapter's true rank (padding must not reach the MMA: 0 * NaN).
  __device__ static void mask_weights(int true_rank, Weights& bw) {
    if (true_rank >= kRank) return;
    const int t = threadIdx.x % 4;
#pragma unroll
    for (int c = 0; c < kChunks; ++c) {
      const int left = true_rank - (c * kStepK + kLaneK * t);  // elements of this lane's pieces to keep
#pragma unroll
      for (int grp = 0; grp < kColGroups; ++grp)
#pragma unroll
        for (int j = 0; j < 4; ++j)
#pragma unroll
          for (int h = 0; h < 2; ++h)
#pragma unroll
            for (int i = 0; i < kLaneK / 2; ++i)
              bw[c][grp][j][h].r[i] &= (left > 2 * i ? 0x0000ffffu : 0u) | (left > 2 * i + 1 ? 0xffff0000u : 0u);
    }
  }

  // acc += B_tile @ v_tile^T: for each k16 step, v's 4 floats of row g at this lane's reduction offsets enter
  // as a high and a low 16-bit part (as in ExpandTile: about 16 bits of v's mantissa reach the product).
  __device__ static void multiply(const SharedStorage& smem, int true_rank, const Weights& bw, Acc& acc) {
    using Traits = ElementTraits<T>;
    const int lane = threadIdx.x % 32;
    const int g = lane / 4, t = lane % 4;
#pragma unroll
    for (int c = 0; c < kChunks; ++c) {
      if (c * kStepK >= true_rank) break;  // uniform: chunks past the adapter's true rank
#pragma unroll
      for (int s = 0; s < kSteps; ++s) {
        const float4 f = *reinterpret_cast<const float4*>(&smem.v[g][c * kStepK + kLaneK * t + 4 * s]);
        const uint32_t hi0 = Traits::pack(f.x, f.y), hi1 = Traits::pack(f.z, f.w);
        const float2 b0 = Traits::unpack(hi0), b1 = Traits::unpack(hi1);
        const uint32_t lo0 = Traits::pack(f.x - b0.x, f.y - b0.y), lo1 = Traits::pack(f.z - b1.x, f.w - b1.y);
#pragma unroll
        for (int grp = 0; grp < kColGroups; ++grp)
#pragma unroll
          for (int j = 0; j < 4; ++j) {
            const Piece& top = bw[c][grp][j][0];
            const Piece& bottom = bw[c][grp][j][1];
            const uint32_t a[4] = {top.r[2 * s], bottom.r[2 * s], top.r[2 * s + 1], bottom.r[2 * s + 1]};
            mma_16x8x16<T>(acc[grp][j], a, hi0, hi1);
            mma_16x8x16<T>(acc[grp][j], a, lo0, lo1);
          }
      }
    }
  }

  // y = y_loaded + scale * acc for rows 2t + e (e = 0, 1), columns n0 + 64 grp + [8g, 8g + 8).
  __device__ static void store_y(uint16_t* const (&y_rows)[2], int n0, int N, float scale,
                                 const Vec8 (&yv)[kColGroups][2], const Acc& acc) {
    using Traits = ElementTraits<T>;
    const int g = (threadIdx.x % 32) / 4;
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      if (y_rows[e] == nullptr) continue;
#pragma unroll
      for (int grp = 0; grp < kColGroups; ++grp) {
        const int col = n0 + grp * 64 + 8 * g;
        if (col >= N) continue;
        uint32_t r[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          // columns 8g + 2i and 8g + 2i + 1: m-tile (2i) % 4 and (2i + 1) % 4, top half below 4, bottom above
          const int c0 = 2 * i, c1 = 2 * i + 1;
          const float d0 = scale * acc[grp][c0 % 4][(c0 / 4) * 2 + e];
          const float d1 = scale * acc[grp][c1 % 4][(c1 / 4) * 2 + e];
          const float2 cur = Traits::unpack(yv[grp][e].r[i]);
          r[i] = Traits::pack(cur.x + d0, cur.y + d1);
        }
        *reinterpret_cast<uint4*>(y_rows[e] + col) = make_uint4(r[0], r[1], r[2], r[3]);
      }
    }
  }

  __device__ static void run(const SgmvParams& p, SharedStorage& smem) {
    const int slice_index = slice_of_tile(p, static_cast<int>(blockIdx.y));
    const SgmvSlice& slice = p.slices[slice_index];
    const int N = kHidden ? kHidden : slice.hidden;

    Segment seg;
    int rt_first;
    if (!block_rows<kRows, kThreads>(p, blockIdx.x, seg, rt_first)) return;
    const int true_rank = adapter_rank(p, seg.lora, kRank);
    if (true_rank == 0) return;

    const int lane = threadIdx.x % 32;
    const int g = lane / 4, t = lane % 4;
    const int warp = threadIdx.x / 32;
    const int n0 = (blockIdx.y - slice.tile_begin) * kBlockCols + warp * kWarpCols;  // warps past N still stage v
    const float* v = static_cast<const float*>(p.x) + slice.v_col;
    uint16_t* y = static_cast<uint16_t*>(p.y) + slice.y_col;
    const uint16_t* w = static_cast<const uint16_t*>(slice.w) + seg.lora * slice.w_stride_lora;

    // B does not depend on the row tile or on the shrink: in flight before the wait, kept over the row tiles.
    Weights bw;
    load_weights(w, slice.w_stride_row, n0, N, bw);
    bool waited = false;

    const int row_tiles = (seg.end - seg.begin + kRows - 1) / kRows;
    for (int rt = rt_first; rt < row_tiles; rt += row_tile_stride(p, row_tiles)) {
      const int row0 = seg.begin + rt * kRows;
      uint16_t* y_rows[2];
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const int row = row0 + 2 * t + e;
        y_rows[e] = row < seg.end ? y + physical_row(p, row) * p.ld_y : nullptr;
      }
      Vec8 yv[kColGroups][2];
#pragma unroll
      for (int grp = 0; grp < kColGroups; ++grp)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int col = n0 + grp * 64 + 8 * g;
          yv[grp][e] = load_vec8<true>(y_rows[e], col, N, y_rows[e] != nullptr);
        }
      if (!waited) {  // everything above is in flight; v comes from the shrink
        wait_for_prerequisites();
        launch_dependents();  // the next kernel's blocks may start while this one finishes (overlap.cuh)
        waited = true;
      }
      __syncthreads();  // the previous row tile's v has been read
#pragma unroll
      for (int c = 0; c < kVChunks; ++c)
        stage_v_chunk<kRows, kThreads, true>(p, v, row0, seg.end, c * kChunk, kRank, true_rank,
                                             &smem.v[0][c * kChunk], kVPitch);
      __syncthreads();
      if (rt == rt_first) mask_weights(true_rank, bw);  // here, not at the loads: v's loads are issued by now
      Acc acc;
      zero_fill(acc);
      multiply(smem, true_rank, bw, acc);
      store_y(y_rows, n0, N, seg.scale, yv, acc);
    }
  }
};

}  // namespace sgmv
