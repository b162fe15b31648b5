// SGMV add_lora for batches of one-row segments (distinct decode: every row its own adapter) in one launch, as a
// gather matrix-vector kernel: no MMA tile carries one real row.
//
// Grid: x = segment, y = the kCluster blocks of its thread-block cluster. Block k of a segment's cluster computes
// ranks [k kRows, (k + 1) kRows) of v over the whole of h_in (its share of A is whole rows, one contiguous run; every
// block reads x's row), pushes them to the cluster's other blocks (st.async onto their landing barrier, as fused.cuh's
// push_tile: no fenced cluster barrier, whose release would wait for this block's loads in flight; entries 74-75), and
// expands the whole v into its 1 / kCluster share of h_out's columns. Every load goes into registers, 16 bytes a
// lane: a thread's B rows and y vector for its first 8 output columns are issued first, before the shrink's loads,
// so a launch whose threads have one column vector of each is a single round trip of loads (entry 240). CUDA-core FMAs,
// v and the expand in float32, y rounded once. A segment of several rows runs row by row (correct; dispatch gives
// this kernel one-row segments only); a segment without an adapter or rows does nothing.
// Why: entry 240's probe of this form beat the 16-row fused and prefill tiles on a few r16 one-row batches, where
// those are latency-bound; at more blocks than SMs every form moved the bytes at the same rate. As a kernel (entry
// 241-242) it wins where its clusters fill most SMs in one wave (0.75-0.97x at 80-112 blocks) and loses where they
// leave most SMs idle or take two waves: clusters of 2, 4 and 8 in the default build, and 4-warp clusters of 4 and 8
// that fit two blocks an SM, so the GPU holds twice as many of them at once (entries 245-246);
// one_launch_gemv.prefers_gemv.
// Ranks 8 and 16 (codegen's GEMV_RANKS; rank 8 from entry 305: 0.42-1.0x the kernels it replaced, a row of B one
// 16-byte piece). Needs sm_90 (clusters), 16-byte aligned rows, h_in and h_out multiples of 8, one output slice and
// every adapter at the kernel's rank (no p.ranks). Slices: p.slices[0] is the shrink's (lora_a, h_in), p.slices[1]
// the expand's (lora_b, h_out, y_col), as for the fused kernel.
#pragma once
#include <cstdint>
#include <type_traits>

#include <cooperative_groups.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cute/arch/cluster_sm90.hpp>
#include <cutlass/arch/barrier.h>

#include "overlap.cuh"
#include "params.cuh"
#include "segments.cuh"

namespace sgmv {

namespace gemv_detail {

// 16 bytes from global memory into registers. Volatile with a memory clobber: ptxas may not hoist it above the
// programmatic-launch wait (overlap.cuh), as it did predicated ld.global.nc (entry 40).
__device__ __forceinline__ uint4 load16(const void* p) {
  uint4 q;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(q.x), "=r"(q.y), "=r"(q.z), "=r"(q.w)
               : "l"(p)
               : "memory");
  return q;
}

// Two packed elements of T as floats, and two floats packed back (rounded to nearest).
template <class T>
__device__ __forceinline__ float2 unpack2(uint32_t u) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return make_float2(__uint_as_float(u << 16), __uint_as_float(u & 0xffff0000u));
  } else {
    __half2 h;
    *reinterpret_cast<uint32_t*>(&h) = u;
    return __half22float2(h);
  }
}

template <class T>
__device__ __forceinline__ uint32_t pack2(float a, float b) {
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    const __nv_bfloat162 h = __floats2bfloat162_rn(a, b);
    return *reinterpret_cast<const uint32_t*>(&h);
  } else {
    const __half2 h = __floats2half2_rn(a, b);
    return *reinterpret_cast<const uint32_t*>(&h);
  }
}

// The warp's sums of vals[0, kN) by halving exchanges: each step a lane keeps half its values, adds its partner's
// copy of them, and sends the other half. On return vals[0] holds, in every lane, the sum over all 32 lanes of
// element reduced_index<kN>(lane).
template <int kN>
__device__ __forceinline__ void warp_reduce_scatter(float (&vals)[kN], int lane) {
  static_assert(kN >= 1 && kN <= 32 && (kN & (kN - 1)) == 0, "a power of two up to the warp's lanes");
  int off = 16;
#pragma unroll
  for (int n = kN; n > 1; off /= 2) {
    n /= 2;
    const bool upper = lane & off;
#pragma unroll
    for (int i = 0; i < kN / 2; ++i) {
      if (i < n) {
        const float send = upper ? vals[i] : vals[i + n];
        const float keep = upper ? vals[i + n] : vals[i];
        vals[i] = keep + __shfl_xor_sync(0xffffffffu, send, off);
      }
    }
  }
#pragma unroll
  for (; off >= 1; off /= 2) vals[0] += __shfl_xor_sync(0xffffffffu, vals[0], off);
}

// The element a lane holds after warp_reduce_scatter<kN>: its top log2(kN) bits chose the halves.
template <int kN>
__device__ __forceinline__ int reduced_index(int lane) {
  constexpr int kBits = kN >= 32 ? 5 : kN >= 16 ? 4 : kN >= 8 ? 3 : kN >= 4 ? 2 : kN >= 2 ? 1 : 0;
  return kBits == 0 ? 0 : (lane >> (5 - kBits)) & (kN - 1);
}

}  // namespace gemv_detail

template <class T, int kRank, int kThreads, int kCluster>
struct GemvTile {
  static_assert(kRank == 8 || kRank == 16, "the expand's loads are a thread's 8 rows of B in 16-byte pieces");
  static_assert(kCluster >= 1 && kRank % kCluster == 0, "each block of a cluster computes kRank / kCluster ranks");
  static_assert(kThreads % 32 == 0, "whole warps");
  static constexpr int kRows = kRank / kCluster;      // ranks of v (rows of A) a block computes
  // Column vectors of x a thread takes a round: 16 loads of A, but at most 8 of x (one rank a block: rank 8's
  // clusters of 8).
  static constexpr int kCols = 16 / kRows < 8 ? 16 / kRows : 8;
  static constexpr int kWarps = kThreads / 32;
  static constexpr int kRowPieces = kRank / 8;         // 16-byte pieces of a row of B (its kRank ranks)
  static constexpr int kPieces = 8 * kRowPieces;       // of a thread's 8 rows of B

  struct SharedStorage {
    float part[kWarps][kRows];      // each warp's sums of the block's ranks
    float v[2][kRank];              // by row parity: every block's ranks (its own written here, the others pushed)
    uint64_t landed[2];             // by row parity: completes when the other blocks' ranks have landed
  };

  __device__ static void run(const SgmvParams& p, SharedStorage& smem) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    using namespace gemv_detail;
    using Barrier = cutlass::arch::ClusterTransactionBarrier;
    cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
    const int me = static_cast<int>(cluster.block_rank());
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (threadIdx.x == 0) {
      for (int b = 0; b < 2; ++b) Barrier::init(&smem.landed[b], 1);
      cutlass::arch::fence_barrier_init();
    }
    cluster.sync();  // every block's barriers are initialised before any block pushes to them

    // Launched to overlap the previous kernel on the stream (overlap.cuh). With p.tables_ready (no kernel writes the
    // batch tables) the segment, its row and the pointers are set up before the wait, which then comes right before
    // the first loads of x, y and the weights, as in the fused kernel (benchmarks/NOTES.md, entries 27, 40 and 285).
    // Every block waits before it exits, one without work included.
    bool waiting = true;
    auto wait_once = [&] {
      if (waiting) {
        wait_for_prerequisites();
        launch_dependents();
      }
      waiting = false;
    };
    if (!p.tables_ready) wait_once();
    const Segment seg = static_cast<int>(blockIdx.x) < p.num_segments  // the whole cluster: one segment
                            ? load_segment(p, static_cast<int>(blockIdx.x)) : Segment{};
    if (!seg.active) {
      wait_once();
      return;
    }

    const SgmvSlice& sa = p.slices[0];
    const SgmvSlice& sb = p.slices[1];
    const int in_vecs = sa.hidden / 8, out_vecs = sb.hidden / 8;
    const int out_share = (out_vecs + kCluster - 1) / kCluster;
    const int out0 = me * out_share, out1 = min(out_vecs, out0 + out_share);
    const int r0 = me * kRows;
    const T* a = static_cast<const T*>(sa.w) + seg.lora * sa.w_stride_lora + r0 * sa.w_stride_row;
    const T* b = static_cast<const T*>(sb.w) + seg.lora * sb.w_stride_lora;

    for (int i = seg.begin, pass = 0; i < seg.end; ++i, ++pass) {
      const int64_t row = physical_row(p, i);
      const T* x = static_cast<const T*>(p.x) + row * p.ld_x;
      T* y = static_cast<T*>(p.y) + row * p.ld_y + sb.y_col;
      wait_once();

      // The expand's operands for this thread's first 8 output columns: in flight with the shrink's.
      int j = out0 + static_cast<int>(threadIdx.x);
      uint4 bv[kPieces];
      uint4 yv = make_uint4(0, 0, 0, 0);
      auto load_expand = [&](int col_vec) {
#pragma unroll
        for (int k = 0; k < kPieces; ++k)
          bv[k] = load16(b + (8 * col_vec + k / kRowPieces) * sb.w_stride_row + 8 * (k % kRowPieces));
        yv = load16(y + 8 * col_vec);
      };
      if (j < out1) load_expand(j);

      // Shrink: kCols column vectors of x a thread a round, the block's kRows rows of A at each.
      float acc[kRows];
#pragma unroll
      for (int r = 0; r < kRows; ++r) acc[r] = 0.f;
      for (int c0 = static_cast<int>(threadIdx.x); c0 < in_vecs; c0 += kCols * kThreads) {
        uint4 av[kCols][kRows], xv[kCols];
#pragma unroll
        for (int q = 0; q < kCols; ++q) {
          const int c = c0 + q * kThreads;
          const bool in = c < in_vecs;
#pragma unroll
          for (int r = 0; r < kRows; ++r)
            av[q][r] = in ? load16(a + r * sa.w_stride_row + 8 * c) : make_uint4(0, 0, 0, 0);
          xv[q] = in ? load16(x + 8 * c) : make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int q = 0; q < kCols; ++q) {
          const uint32_t xw[4] = {xv[q].x, xv[q].y, xv[q].z, xv[q].w};
          float2 xf[4];
#pragma unroll
          for (int k = 0; k < 4; ++k) xf[k] = unpack2<T>(xw[k]);
#pragma unroll
          for (int r = 0; r < kRows; ++r) {
            const uint32_t aw[4] = {av[q][r].x, av[q][r].y, av[q][r].z, av[q][r].w};
#pragma unroll
            for (int k = 0; k < 4; ++k) {
              const float2 f = unpack2<T>(aw[k]);
              acc[r] = fmaf(xf[k].x, f.x, acc[r]);
              acc[r] = fmaf(xf[k].y, f.y, acc[r]);
            }
          }
        }
      }

      // The block's ranks of v: summed in each warp, across warps, then pushed to the cluster's other blocks.
      warp_reduce_scatter<kRows>(acc, lane);
      if (lane % (32 / kRows) == 0) smem.part[warp][reduced_index<kRows>(lane)] = acc[0];
      __syncthreads();
      const int parity = pass & 1;
      if (threadIdx.x < kRows) {
        float s = 0.f;
#pragma unroll
        for (int w = 0; w < kWarps; ++w) s += smem.part[w][threadIdx.x];
        float* mine = &smem.v[parity][r0 + threadIdx.x];
        *mine = s;
        for (int other = 0; other < kCluster; ++other) {
          if (other == me) continue;
          asm volatile("st.async.shared::cluster.mbarrier::complete_tx::bytes.b32 [%0], %1, [%2];"
                       :: "r"(cute::set_block_rank(cute::cast_smem_ptr_to_uint(mine), other)),
                          "r"(__float_as_uint(s)),
                          "r"(cute::set_block_rank(cute::cast_smem_ptr_to_uint(&smem.landed[parity]), other))
                       : "memory");
        }
      }
      if (kCluster > 1) {
        // Rows alternate between two barriers, so a block a row ahead pushes onto the other one; it cannot be two
        // ahead, as its next row waits for this block's pushes.
        if (threadIdx.x == 0) Barrier::arrive_and_expect_tx(&smem.landed[parity], (kCluster - 1) * kRows * 4);
        Barrier::wait(&smem.landed[parity], (pass >> 1) & 1);
      }
      __syncthreads();  // this block's own ranks are written too
      float v[kRank];
#pragma unroll
      for (int r = 0; r < kRank; ++r) v[r] = seg.scale * smem.v[parity][r];

      // Expand: 8 output columns a thread at a time, every rank of their 8 rows of B.
      while (j < out1) {
        float out[8];
#pragma unroll
        for (int e = 0; e < 8; ++e) {
          float s = 0.f;
#pragma unroll
          for (int h = 0; h < kRowPieces; ++h) {
            const uint4 piece = bv[kRowPieces * e + h];
            const uint32_t w[4] = {piece.x, piece.y, piece.z, piece.w};
#pragma unroll
            for (int k = 0; k < 4; ++k) {
              const float2 f = unpack2<T>(w[k]);
              s = fmaf(v[8 * h + 2 * k], f.x, s);
              s = fmaf(v[8 * h + 2 * k + 1], f.y, s);
            }
          }
          out[e] = s;
        }
        const uint32_t yw[4] = {yv.x, yv.y, yv.z, yv.w};
        uint32_t o[4];
#pragma unroll
        for (int k = 0; k < 4; ++k) {
          const float2 f = unpack2<T>(yw[k]);
          o[k] = pack2<T>(f.x + out[2 * k], f.y + out[2 * k + 1]);
        }
        *reinterpret_cast<uint4*>(y + 8 * j) = make_uint4(o[0], o[1], o[2], o[3]);
        j += kThreads;
        if (j < out1) load_expand(j);
      }
      __syncthreads();  // part and this row's v are read before the next row writes them
    }
#else
    __trap();  // thread-block clusters: dispatch picks this kernel on sm_90 and later only
#endif
  }
};

}  // namespace sgmv
