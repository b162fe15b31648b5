// The fused kernel's expand as warpgroup MMAs (sm_90a wgmma) for its 32-row tile of 8 warps (fused.cuh's
// kWarpgroupExpand, one column tile a block): y[32 rows, the block's columns] += scale * v @ B^T.
//
// Each of the block's two warpgroups takes half of the block's columns, in m64n128k16 MMAs whose 64 rows are v's 32
// rows twice: row g of each warp's 16 is v's high 16-bit part of the tile's row 8 w + g, row g + 8 its low part
// (v - high), so a thread's accumulators hold both parts' products for one row and their sum is v @ B^T to about 16
// bits of v, as the mma.sync expand's two MMAs give. Against that expand (128 mma.sync a warp at rank 64 on 512
// columns, after the grid barrier, with their B fragments read from shared memory: benchmarks/NOTES.md, entries 176
// and 276) the MMAs are 8 instructions a warpgroup at the tensor cores' warpgroup rate, read B in place, and v goes
// from the workspace into the MMAs' registers without being staged in shared memory.
//
// B's rows (one per column of y) are staged K-major with wgmma's swizzle of kRank * 2-byte rows, in an order that
// leaves lane (g, t) with 8 consecutive columns of each 32-column group (b_row), so y is read and written in 16-byte
// pieces: the thread's own, copied into its slots before the barrier.
#pragma once
#include <cstdint>

#include <cute/arch/copy_sm80.hpp>

#include "fragments.cuh"
#include "warpgroup_mma.cuh"

namespace sgmv {

template <class T, int kRank, int kBlockCols, int kThreads>
struct WarpgroupExpand {
  static constexpr int kGroups = kThreads / 128;          // warpgroups a block
  static constexpr int kGroupCols = kBlockCols / kGroups;  // columns a warpgroup
  static constexpr int kHalves = kGroupCols / 128;         // its n128 MMAs a rank step
  static constexpr int kSteps = kRank / 16;                // rank steps
  static constexpr int kPitch = 2 * kRank;                 // bytes a staged row of B
  static constexpr int kRowPieces = kPitch / 16;
  static constexpr int kYPieces = kGroupCols / 32;  // a thread's 16-byte pieces of y: 8 columns of each 32-column group
  static_assert(kThreads == 256, "two warpgroups: 32 rows, each warp 8 of them");
  static_assert(kGroupCols % 128 == 0, "whole n128 MMAs a warpgroup");
  static_assert(kPitch == 32 || kPitch == 64 || kPitch == 128, "a wgmma swizzle's row width: ranks 16, 32 and 64");
  static_assert(kThreads % kRowPieces == 0 && (kThreads / kRowPieces) % 32 == 0 &&
                    kBlockCols % (kThreads / kRowPieces) == 0,
                "B's pieces in whole passes of the block's threads, each pass whole 32-row groups");

  struct Storage {
    unsigned char b[kBlockCols * kPitch];  // starts on 1024 bytes (the swizzle is the address's)
    uint4 y[kYPieces][kThreads];
  };

  // The staged row of B (the MMAs' column) of the block's column c: lane t's columns 2 t, 2 t + 1 of n-tiles
  // 4 i .. 4 i + 3 are the block's columns 32 i + 8 t .. + 8.
  __device__ static constexpr int b_row(int c) {
    const int local = c % 32;
    return c - local + 8 * (local % 8 / 2) + 2 * (local / 8) + local % 2;
  }

  // The byte offset of 16-byte piece q of staged row n: wgmma's swizzle of kPitch-byte K-major rows.
  __device__ static constexpr uint32_t b_offset(int n, int q) {
    const uint32_t off = static_cast<uint32_t>(n * kPitch + 16 * q);
    constexpr uint32_t kMask = kPitch == 128 ? 7 : kPitch == 64 ? 3 : 1;
    return off ^ (((off >> 7) & kMask) << 4);
  }

  // This thread's row of the tile and its first column in piece i of y (0 .. kYPieces), from the block's first.
  __device__ static int row() { return 8 * (threadIdx.x / 32 % 4) + threadIdx.x % 32 / 4; }
  __device__ static int y_column(int i) { return threadIdx.x / 128 * kGroupCols + 32 * i + 8 * (threadIdx.x % 4); }

  // Copies (cp.async) the block's rows of B, columns n_block .., ranks below true_rank (the rest zero), and this
  // thread's pieces of y_row (its row of y, or nullptr past the segment) into `s`.
  __device__ static void prefetch(const uint16_t* w, int64_t w_stride_row, const uint16_t* y_row, int n_block, int N,
                                  int true_rank, Storage& s) {
    // Thread i copies piece i % kRowPieces of rows i / kRowPieces + kPassRows j: in staged rows kPassRows apart, a
    // whole number of swizzle atoms, so one offset steps through them.
    constexpr int kPassRows = kThreads / kRowPieces;
    const int q = static_cast<int>(threadIdx.x) % kRowPieces;
    const int c0 = static_cast<int>(threadIdx.x) / kRowPieces;
    const int piece_bytes = min(16, max(0, 2 * (true_rank - 8 * q)));
    const uint16_t* src = w + (n_block + c0) * w_stride_row + 8 * q;
    uint32_t dst = cute::cast_smem_ptr_to_uint(s.b) + b_offset(b_row(c0), q);
#pragma unroll
    for (int j = 0; j < kBlockCols / kPassRows; ++j) {
      const int bytes = n_block + c0 + kPassRows * j < N ? piece_bytes : 0;
      asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;"
                   :: "r"(dst + j * kPassRows * kPitch), "l"(bytes > 0 ? src + j * kPassRows * w_stride_row : w),
                      "r"(bytes) : "memory");
    }
    using Copy = cute::SM80_CP_ASYNC_CACHEGLOBAL_ZFILL<uint4>;
#pragma unroll
    for (int i = 0; i < kYPieces; ++i) {
      const int col = n_block + y_column(i);
      const bool ok = y_row != nullptr && col < N;
      Copy::copy(*reinterpret_cast<const uint4*>(ok ? y_row + col : w), s.y[i][threadIdx.x], ok);
    }
    cute::cp_async_fence();
  }

  // Makes this thread's copies visible to the MMAs (the async proxy); the block's barrier that follows, every
  // thread's.
  __device__ static void copies_landed() {
    cute::cp_async_wait<0>();
    asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
  }

  // y_row[n_block + the thread's columns] += scale * v @ B^T: v's rows [0, rows) of the tile from `v` (the workspace's,
  // kRank floats a row; zero past the true rank), B and y from `s` (prefetch's, landed: copies_landed and a barrier).
  __device__ static void expand(const Storage& s, const float* v, int rows, int true_rank, uint16_t* y_row,
                                int n_block, int N, float scale) {
    using Traits = ElementTraits<T>;
    const int t = threadIdx.x % 4;
    const int r = row();
    uint32_t a[kSteps][4];  // rows g (v's high part) and g + 8 (its low part) of each step's A fragment
#pragma unroll
    for (int ks = 0; ks < kSteps; ++ks)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int k = 16 * ks + 8 * h + 2 * t;
        float2 f = make_float2(0.f, 0.f);
        if (r < rows && k < true_rank) f = __ldcg(reinterpret_cast<const float2*>(v + r * kRank + k));
        if (k + 1 >= true_rank) f.y = 0.f;
        const uint32_t hi = Traits::pack(f.x, f.y);
        const float2 back = Traits::unpack(hi);
        a[ks][2 * h] = hi;
        a[ks][2 * h + 1] = Traits::pack(f.x - back.x, f.y - back.y);
      }
    const uint32_t b0 = cute::cast_smem_ptr_to_uint(s.b) + threadIdx.x / 128 * kGroupCols * kPitch;
    float d[kHalves][16][4];  // each n128 half's MMAs a batch of their own: the first half's y under the second's MMAs
#pragma unroll
    for (int n = 0; n < kHalves; ++n) {
#pragma unroll
      for (int j = 0; j < 16; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) cute::warpgroup_fence_operand(d[n][j][e]);
      cute::warpgroup_arrive();
      const uint32_t half = b0 + 128 * n * kPitch;
      wgmma_64xNx16_first<T, 128>(d[n], a[0], swizzled_kmajor_desc<kPitch>(half));
#pragma unroll
      for (int ks = 1; ks < kSteps; ++ks) wgmma_64xNx16<T, 128>(d[n], a[ks], swizzled_kmajor_desc<kPitch>(half + 32 * ks));
      cute::warpgroup_commit_batch();
    }
#pragma unroll
    for (int n = 0; n < kHalves; ++n) {
      if (n + 1 < kHalves)
        cute::warpgroup_wait<1>();
      else
        cute::warpgroup_wait<0>();
#pragma unroll
      for (int j = 0; j < 16; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) cute::warpgroup_fence_operand(d[n][j][e]);
      if (y_row == nullptr) continue;
#pragma unroll
      for (int i = 4 * n; i < 4 * n + 4; ++i) {
        const int col = n_block + y_column(i);
        if (col >= N) continue;
        const uint4 cur = s.y[i][threadIdx.x];
        const uint32_t in[4] = {cur.x, cur.y, cur.z, cur.w};
        uint32_t res[4];
#pragma unroll
        for (int jj = 0; jj < 4; ++jj) {
          const float* dj = d[n][4 * (i % 4) + jj];
          const float2 f = Traits::unpack(in[jj]);
          res[jj] = Traits::pack(f.x + scale * (dj[0] + dj[2]), f.y + scale * (dj[1] + dj[3]));
        }
        *reinterpret_cast<uint4*>(y_row + col) = make_uint4(res[0], res[1], res[2], res[3]);
      }
    }
  }
};

}  // namespace sgmv
