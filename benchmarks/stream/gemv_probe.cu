// Is a decode batch of one-row segments (distinct: every row its own adapter) faster as a plain gather
// matrix-vector kernel than on the prefill kernel's 16-row tile (benchmarks/NOTES.md, entry 240)? The 16-row tile
// streams A and B through shared-memory stages with cp.async and multiplies one real row in 16-row MMAs; it moves
// r16 distinct batches at ~22 GB/s an SM (entry 118: DRAM 59% of its peak) where a copy moves ~32.
// This kernel (bf16, r16, SgmvParams as the package's kernels take it) is the GEMV form: a cluster of C blocks a
// segment, block k a 1 / C share of h_in and of h_out; the shrink's loads of A (every rank's row at one column
// vector, 16 loads a thread) and x go into registers and CUDA-core FMAs, the partial v is reduced in the warp by
// halving exchanges, then across warps in shared memory, then pushed to the cluster's other blocks with st.async
// (no fenced cluster barrier); the expand's loads of B (a thread's 8 rows of B, 16 loads) and y for its first
// column vector are issued before that reduction, so they are in flight while it runs. Segments of several rows
// run row by row (correct, not fast); no adapter (-1) or no rows: nothing.
// Checked against a float64 host reference on random data (outputs poisoned beforehand), then timed as the bench
// times add_lora: a CUDA graph of one launch per cold buffer set (>= 256 MB), median of 15 replays, PDL launches.
//
//   nvcc -O3 -std=c++17 -arch=sm_90a -I csrc -I $CUTLASS/include -o gemv_probe gemv_probe.cu && ./gemv_probe
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include <cooperative_groups.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "../graph_replay.cuh"
#include "sgmv/overlap.cuh"
#include "sgmv/params.cuh"
#include "sgmv/segments.cuh"

namespace cg = cooperative_groups;

namespace gemv {

constexpr int kMaxCluster = 8;

__device__ __forceinline__ uint32_t smem_u32(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// A 16-byte load after the PDL wait that ptxas may not hoist above it (volatile asm with a memory clobber).
__device__ __forceinline__ uint4 load16(const void* p) {
  uint4 q;
  asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
               : "=r"(q.x), "=r"(q.y), "=r"(q.z), "=r"(q.w) : "l"(p) : "memory");
  return q;
}

__device__ __forceinline__ float2 bf2(uint32_t u) {
  return make_float2(__uint_as_float(u << 16), __uint_as_float(u & 0xffff0000u));
}

// acc += dot of 8 bf16 pairs
__device__ __forceinline__ float dot8(const float2 (&x)[4], uint4 a, float acc) {
  const uint32_t w[4] = {a.x, a.y, a.z, a.w};
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 f = bf2(w[i]);
    acc = fmaf(x[i].x, f.x, acc);
    acc = fmaf(x[i].y, f.y, acc);
  }
  return acc;
}

// The warp's sums of vals[0, kN) by halving exchanges: on return lane l holds in vals[0] the warp's sum of
// element (l >> 1) % kN... precisely: element index `reduced_index(lane)`, summed over all 32 lanes.
template <int kN>
__device__ __forceinline__ void warp_reduce_scatter(float (&vals)[kN], int lane) {
  static_assert(kN == 2 || kN == 4 || kN == 8 || kN == 16, "probe: 2, 4, 8 or 16 values");
  int n = kN;
  int off = 16;
#pragma unroll
  for (; n > 1; off /= 2) {
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
// The element lane `lane` holds after warp_reduce_scatter<kN>: the lane's top log2(kN) bits pick the halves.
template <int kN>
__device__ __forceinline__ int reduced_index(int lane) { return (lane >> (kN == 16 ? 1 : kN == 8 ? 2 : kN == 4 ? 3 : 4)) & (kN - 1); }

template <int kThreads>
struct Storage {
  float part[kThreads / 32][16];
  float received[2][kMaxCluster][16];  // by pass parity, by sender
  float v[16];
  uint64_t landed[2];
};

// Where piece k (of 16) of column vector jj's 8 rows of B lies in the staged share: the low 3 bits of k flipped by jj,
// so the 8 threads of a quarter warp reading piece k of consecutive vectors hit 8 different 16-byte bank groups.
__device__ __forceinline__ int staged_slot(int jj, int k) { return 16 * jj + (k ^ (jj & 7)); }

__device__ __forceinline__ void copy16(void* dst, const void* src) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(smem_u32(dst)), "l"(src) : "memory");
}

// kAsync: B's share (up to b_vecs column vectors of it) and each row's y share are copied into shared memory with
// cp.async at the start, so they are in flight with the shrink's loads of A; otherwise both come into registers.
// kEarly: the expand's first loads of B and y are issued right after the shrink's of A and x, before its FMAs (a
// launch whose threads each have one column vector of each is then one round trip of loads); one block an SM.
template <int kThreads, bool kAsync, bool kEarly = false>
__global__ void __launch_bounds__(kThreads, kThreads >= 512 || kEarly ? 1 : 2) add_lora_gemv_r16(
    const sgmv::SgmvParams p, int b_vecs) {
  constexpr int kRank = 16;
  __shared__ Storage<kThreads> smem;
  extern __shared__ __align__(16) uint4 staged[];  // [b_vecs * 16] B pieces, then [out share] y vectors
  cg::cluster_group cluster = cg::this_cluster();
  const int blocks = static_cast<int>(cluster.num_blocks());
  const int me = static_cast<int>(cluster.block_rank());
  const int segment = static_cast<int>(blockIdx.x) / blocks;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (threadIdx.x == 0) {
    for (int b = 0; b < 2; ++b)
      asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" :: "r"(smem_u32(&smem.landed[b])) : "memory");
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  cluster.sync();  // every block's barriers are initialised before any push
  sgmv::wait_for_prerequisites();
  sgmv::launch_dependents();
  const sgmv::Segment seg = sgmv::load_segment(p, segment);
  if (!seg.active) return;  // every block of the cluster: same segment

  const sgmv::SgmvSlice& sa = p.slices[0];
  const sgmv::SgmvSlice& sb = p.slices[1];
  const int in_vecs = sa.hidden / 8, out_vecs = sb.hidden / 8;
  const int in_share = (in_vecs + blocks - 1) / blocks, out_share = (out_vecs + blocks - 1) / blocks;
  const int in0 = me * in_share, in1 = min(in_vecs, in0 + in_share);
  const int out0 = me * out_share, out1 = min(out_vecs, out0 + out_share);
  const __nv_bfloat16* a = static_cast<const __nv_bfloat16*>(sa.w) + seg.lora * sa.w_stride_lora;
  const __nv_bfloat16* bw = static_cast<const __nv_bfloat16*>(sb.w) + seg.lora * sb.w_stride_lora;
  const int staged_vecs = kAsync ? min(b_vecs, max(out1 - out0, 0)) : 0;
  uint4* staged_y = staged + 16 * b_vecs;
  if (kAsync) {  // B's rows of the share are contiguous: piece f is 16 bytes at 16 f from its first row
    const uint4* src = reinterpret_cast<const uint4*>(bw + int64_t(8) * out0 * sb.w_stride_row);
    for (int f = threadIdx.x; f < 16 * staged_vecs; f += kThreads) copy16(&staged[staged_slot(f / 16, f % 16)], src + f);
  }

  for (int i = seg.begin, pass = 0; i < seg.end; ++i, ++pass) {
    const int64_t row = sgmv::physical_row(p, i);
    const __nv_bfloat16* x = static_cast<const __nv_bfloat16*>(p.x) + row * p.ld_x;
    __nv_bfloat16* y = static_cast<__nv_bfloat16*>(p.y) + row * p.ld_y + sb.y_col;
    if (kAsync) {
      for (int jj = threadIdx.x; jj < out1 - out0; jj += kThreads) copy16(&staged_y[jj], y + 8 * (out0 + jj));
      asm volatile("cp.async.commit_group;" ::: "memory");
    }

    // The expand's first loads, in flight during the reduction.
    int j = out0 + threadIdx.x;
    uint4 bv[2 * 8];
    uint4 yv = make_uint4(0, 0, 0, 0);
    auto issue = [&](int jj) {
      if (kAsync) {
        if (jj - out0 < staged_vecs) {
#pragma unroll
          for (int k = 0; k < 16; ++k) bv[k] = staged[staged_slot(jj - out0, k)];
        } else {
#pragma unroll
          for (int k = 0; k < 16; ++k) bv[k] = load16(bw + (8 * jj) * sb.w_stride_row + 8 * k);
        }
        yv = staged_y[jj - out0];
        return;
      }
#pragma unroll
      for (int e = 0; e < 8; ++e)
#pragma unroll
        for (int h = 0; h < 2; ++h) bv[2 * e + h] = load16(bw + (8 * jj + e) * sb.w_stride_row + 8 * h);
      yv = load16(y + 8 * jj);
    };
    if (kEarly && j < out1) issue(j);
    // Shrink: each thread a column vector of its share at a time, every rank's row of A at it.
    float acc[kRank];
#pragma unroll
    for (int r = 0; r < kRank; ++r) acc[r] = 0.f;
    for (int c = in0 + threadIdx.x; c < in1; c += kThreads) {
      uint4 av[kRank];
#pragma unroll
      for (int r = 0; r < kRank; ++r) av[r] = load16(a + r * sa.w_stride_row + 8 * c);
      const uint4 xv = load16(x + 8 * c);
      const uint32_t xw[4] = {xv.x, xv.y, xv.z, xv.w};
      float2 xf[4];
#pragma unroll
      for (int k = 0; k < 4; ++k) xf[k] = bf2(xw[k]);
#pragma unroll
      for (int r = 0; r < kRank; ++r) acc[r] = dot8(xf, av[r], acc[r]);
    }
    if (!kAsync && !kEarly && j < out1) issue(j);

    warp_reduce_scatter<kRank>(acc, lane);
    if ((lane & 1) == 0) smem.part[warp][reduced_index<kRank>(lane)] = acc[0];
    __syncthreads();
    const int parity = pass & 1;
    if (threadIdx.x < kRank) {
      float s = 0.f;
#pragma unroll
      for (int w = 0; w < kThreads / 32; ++w) s += smem.part[w][threadIdx.x];
      if (blocks == 1) {
        smem.v[threadIdx.x] = s;
      } else {
        smem.received[parity][me][threadIdx.x] = s;
        for (int b = 0; b < blocks; ++b) {
          if (b == me) continue;
          uint32_t dst, bar;
          asm volatile("mapa.shared::cluster.u32 %0, %1, %2;"
                       : "=r"(dst) : "r"(smem_u32(&smem.received[parity][me][threadIdx.x])), "r"(b));
          asm volatile("mapa.shared::cluster.u32 %0, %1, %2;"
                       : "=r"(bar) : "r"(smem_u32(&smem.landed[parity])), "r"(b));
          asm volatile("st.async.shared::cluster.mbarrier::complete_tx::bytes.b32 [%0], %1, [%2];"
                       :: "r"(dst), "r"(__float_as_uint(s)), "r"(bar) : "memory");
        }
      }
    }
    if (blocks > 1) {
      if (threadIdx.x == 0)
        asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;"
                     :: "r"(smem_u32(&smem.landed[parity])), "r"((blocks - 1) * kRank * 4) : "memory");
      const uint32_t phase = (pass >> 1) & 1;
      uint32_t done = 0;
      do {
        asm volatile("{ .reg .pred q; mbarrier.try_wait.parity.shared::cta.b64 q, [%1], %2; selp.u32 %0, 1, 0, q; }"
                     : "=r"(done) : "r"(smem_u32(&smem.landed[parity])), "r"(phase) : "memory");
      } while (!done);
      __syncthreads();  // this block's own share in received is written too
      if (threadIdx.x < kRank) {
        float s = 0.f;
        for (int b = 0; b < blocks; ++b) s += smem.received[parity][b][threadIdx.x];
        smem.v[threadIdx.x] = s;
      }
    }
    __syncthreads();
    float v[kRank];
#pragma unroll
    for (int r = 0; r < kRank; ++r) v[r] = seg.scale * smem.v[r];
    if (kAsync) {
      asm volatile("cp.async.wait_all;" ::: "memory");
      __syncthreads();  // every thread's copies have landed
      if (j < out1) issue(j);
    }

    // Expand: each thread 8 output columns at a time (8 rows of B, every rank).
    while (j < out1) {
      float out[8];
#pragma unroll
      for (int e = 0; e < 8; ++e) {
        float s = 0.f;
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          const uint32_t w[4] = {bv[2 * e + h].x, bv[2 * e + h].y, bv[2 * e + h].z, bv[2 * e + h].w};
#pragma unroll
          for (int k = 0; k < 4; ++k) {
            const float2 f = bf2(w[k]);
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
        const float2 f = bf2(yw[k]);
        const __nv_bfloat162 h2 = __floats2bfloat162_rn(f.x + out[2 * k], f.y + out[2 * k + 1]);
        o[k] = *reinterpret_cast<const uint32_t*>(&h2);
      }
      uint4* dst = reinterpret_cast<uint4*>(y + 8 * j);
      *dst = make_uint4(o[0], o[1], o[2], o[3]);
      j += kThreads;
      if (j < out1) issue(j);
    }
    __syncthreads();  // smem.v, part and staged_y are read before the next row's pass writes them
  }
}


// The cluster split by A's rows instead of its columns: block k of C computes ranks [k 16 / C, (k + 1) 16 / C) of v
// over the whole of h_in (its share of A one contiguous run of whole rows; x read whole by every block), pushes them
// to the others, and expands its 1 / C share of h_out as above (B and y into registers).
template <int kThreads, int kC, bool kEarly = false>
__global__ void __launch_bounds__(kThreads, 1) add_lora_gemv_rows_r16(const sgmv::SgmvParams p, int) {
  constexpr int kRank = 16, kRows = kRank / kC, kCols = 16 / kRows;  // a thread: kCols column vectors x kRows rows
  __shared__ float part[kThreads / 32][kRows];
  __shared__ float received[2][kRank];
  __shared__ uint64_t landed[2];
  cg::cluster_group cluster = cg::this_cluster();
  const int me = static_cast<int>(cluster.block_rank());
  const int segment = static_cast<int>(blockIdx.x) / kC;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (threadIdx.x == 0) {
    for (int b = 0; b < 2; ++b)
      asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" :: "r"(smem_u32(&landed[b])) : "memory");
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  cluster.sync();
  sgmv::wait_for_prerequisites();
  sgmv::launch_dependents();
  const sgmv::Segment seg = sgmv::load_segment(p, segment);
  if (!seg.active) return;
  const sgmv::SgmvSlice& sa = p.slices[0];
  const sgmv::SgmvSlice& sb = p.slices[1];
  const int in_vecs = sa.hidden / 8, out_vecs = sb.hidden / 8;
  const int out_share = (out_vecs + kC - 1) / kC;
  const int out0 = me * out_share, out1 = min(out_vecs, out0 + out_share);
  const int r0 = me * kRows;
  const __nv_bfloat16* a = static_cast<const __nv_bfloat16*>(sa.w) + seg.lora * sa.w_stride_lora + r0 * sa.w_stride_row;
  const __nv_bfloat16* bw = static_cast<const __nv_bfloat16*>(sb.w) + seg.lora * sb.w_stride_lora;
  for (int i = seg.begin, pass = 0; i < seg.end; ++i, ++pass) {
    const int64_t row = sgmv::physical_row(p, i);
    const __nv_bfloat16* x = static_cast<const __nv_bfloat16*>(p.x) + row * p.ld_x;
    __nv_bfloat16* y = static_cast<__nv_bfloat16*>(p.y) + row * p.ld_y + sb.y_col;
    int j = out0 + threadIdx.x;
    uint4 bv[16];
    uint4 yv = make_uint4(0, 0, 0, 0);
    auto issue = [&](int jj) {
#pragma unroll
      for (int k = 0; k < 16; ++k) bv[k] = load16(bw + (8 * jj + k / 2) * sb.w_stride_row + 8 * (k % 2));
      yv = load16(y + 8 * jj);
    };
    if (kEarly && j < out1) issue(j);
    float acc[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) acc[r] = 0.f;
    for (int c0 = threadIdx.x; c0 < in_vecs; c0 += kCols * kThreads) {
      uint4 av[kCols][kRows], xv[kCols];
#pragma unroll
      for (int q = 0; q < kCols; ++q) {
        const int c = c0 + q * kThreads;
        if (c < in_vecs) {
#pragma unroll
          for (int r = 0; r < kRows; ++r) av[q][r] = load16(a + r * sa.w_stride_row + 8 * c);
          xv[q] = load16(x + 8 * c);
        } else {
#pragma unroll
          for (int r = 0; r < kRows; ++r) av[q][r] = make_uint4(0, 0, 0, 0);
          xv[q] = make_uint4(0, 0, 0, 0);
        }
      }
#pragma unroll
      for (int q = 0; q < kCols; ++q) {
        const uint32_t xw[4] = {xv[q].x, xv[q].y, xv[q].z, xv[q].w};
        float2 xf[4];
#pragma unroll
        for (int k = 0; k < 4; ++k) xf[k] = bf2(xw[k]);
#pragma unroll
        for (int r = 0; r < kRows; ++r) acc[r] = dot8(xf, av[q][r], acc[r]);
      }
    }
    if (!kEarly && j < out1) issue(j);
    warp_reduce_scatter<kRows>(acc, lane);
    if (lane % (32 / kRows) == 0) part[warp][reduced_index<kRows>(lane)] = acc[0];
    __syncthreads();
    const int parity = pass & 1;
    if (threadIdx.x < kRows) {
      float s = 0.f;
#pragma unroll
      for (int w = 0; w < kThreads / 32; ++w) s += part[w][threadIdx.x];
      received[parity][r0 + threadIdx.x] = s;
      for (int b = 0; b < kC; ++b) {
        if (b == me) continue;
        uint32_t dst, bar;
        asm volatile("mapa.shared::cluster.u32 %0, %1, %2;"
                     : "=r"(dst) : "r"(smem_u32(&received[parity][r0 + threadIdx.x])), "r"(b));
        asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(bar) : "r"(smem_u32(&landed[parity])), "r"(b));
        asm volatile("st.async.shared::cluster.mbarrier::complete_tx::bytes.b32 [%0], %1, [%2];"
                     :: "r"(dst), "r"(__float_as_uint(s)), "r"(bar) : "memory");
      }
    }
    if (kC > 1) {
      if (threadIdx.x == 0)
        asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;"
                     :: "r"(smem_u32(&landed[parity])), "r"((kC - 1) * kRows * 4) : "memory");
      const uint32_t phase = (pass >> 1) & 1;
      uint32_t done = 0;
      do {
        asm volatile("{ .reg .pred q; mbarrier.try_wait.parity.shared::cta.b64 q, [%1], %2; selp.u32 %0, 1, 0, q; }"
                     : "=r"(done) : "r"(smem_u32(&landed[parity])), "r"(phase) : "memory");
      } while (!done);
    }
    __syncthreads();
    float v[kRank];
#pragma unroll
    for (int r = 0; r < kRank; ++r) v[r] = seg.scale * received[parity][r];
    while (j < out1) {
      float out[8];
#pragma unroll
      for (int e = 0; e < 8; ++e) {
        float s = 0.f;
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          const uint32_t w[4] = {bv[2 * e + h].x, bv[2 * e + h].y, bv[2 * e + h].z, bv[2 * e + h].w};
#pragma unroll
          for (int k = 0; k < 4; ++k) {
            const float2 f = bf2(w[k]);
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
        const float2 f = bf2(yw[k]);
        const __nv_bfloat162 h2 = __floats2bfloat162_rn(f.x + out[2 * k], f.y + out[2 * k + 1]);
        o[k] = *reinterpret_cast<const uint32_t*>(&h2);
      }
      *reinterpret_cast<uint4*>(y + 8 * j) = make_uint4(o[0], o[1], o[2], o[3]);
      j += kThreads;
      if (j < out1) issue(j);
    }
    __syncthreads();
  }
}

}  // namespace gemv

// ------------------------------------------------------------------------------------------------ host

static uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
}
static float from_bf16(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

struct Case {
  int h_in, h_out, rows_per_seg, segs, cluster;
};

template <int kThreads, bool kAsync, int kRowsC = 0, bool kEarly = false>
static void run_case(const Case& c, const ReplayStream& rs, bool check, int b_vecs = 0) {
  constexpr int kRank = 16;
  const int T = c.segs * c.rows_per_seg, nl = c.segs;
  const size_t xb = size_t(T) * c.h_in * 2, yb = size_t(T) * c.h_out * 2;
  const size_t ab = size_t(nl) * kRank * c.h_in * 2, bb = size_t(nl) * c.h_out * kRank * 2;
  const size_t set_bytes = xb + yb + ab + bb;
  const int sets = std::max<int>(2, int((256ull << 20) / set_bytes) + 1);
  std::vector<int32_t> indptr(c.segs + 1), lora(c.segs);
  for (int s = 0; s <= c.segs; ++s) indptr[s] = s * c.rows_per_seg;
  for (int s = 0; s < c.segs; ++s) lora[s] = (s * 7 + 3) % nl;
  if (check && c.segs > 2) lora[1] = -1;  // a segment without an adapter
  int32_t *d_indptr, *d_lora;
  cudaMalloc(&d_indptr, indptr.size() * 4);
  cudaMalloc(&d_lora, lora.size() * 4);
  cudaMemcpy(d_indptr, indptr.data(), indptr.size() * 4, cudaMemcpyHostToDevice);
  cudaMemcpy(d_lora, lora.data(), lora.size() * 4, cudaMemcpyHostToDevice);
  std::vector<void*> xs, ys, as, bs;
  std::mt19937 gen(1234);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<uint16_t> hx(xb / 2), hy(yb / 2), ha(ab / 2), hb(bb / 2);
  for (auto& v : hx) v = to_bf16(nd(gen));
  for (auto& v : hy) v = to_bf16(nd(gen));
  for (auto& v : ha) v = to_bf16(nd(gen) / std::sqrt(float(c.h_in)));
  for (auto& v : hb) v = to_bf16(nd(gen) / std::sqrt(float(kRank)));
  for (int i = 0; i < sets; ++i) {
    void *x, *y, *a, *b;
    cudaMalloc(&x, xb);
    cudaMalloc(&y, yb);
    cudaMalloc(&a, ab);
    cudaMalloc(&b, bb);
    cudaMemcpy(x, hx.data(), xb, cudaMemcpyHostToDevice);
    cudaMemcpy(y, hy.data(), yb, cudaMemcpyHostToDevice);
    cudaMemcpy(a, ha.data(), ab, cudaMemcpyHostToDevice);
    cudaMemcpy(b, hb.data(), bb, cudaMemcpyHostToDevice);
    xs.push_back(x), ys.push_back(y), as.push_back(a), bs.push_back(b);
  }
  auto params = [&](int i) {
    sgmv::SgmvParams p{};
    p.x = xs[i], p.y = ys[i], p.seg_indptr = d_indptr, p.lora_indices = d_lora;
    p.ld_x = c.h_in, p.ld_y = c.h_out, p.scale = 0.5f, p.num_rows = T, p.num_segments = c.segs;
    p.num_loras = nl, p.rank = kRank, p.num_slices = 1, p.k_splits = 1;
    p.slices[0] = sgmv::SgmvSlice{as[i], int64_t(kRank) * c.h_in, c.h_in, kRank, c.h_in, 0, 0, 0, 0};
    p.slices[1] = sgmv::SgmvSlice{bs[i], int64_t(c.h_out) * kRank, kRank, kRank, c.h_out, 0, 0, 0, 0};
    return p;
  };
  const int out_share = (c.h_out / 8 + c.cluster - 1) / c.cluster;
  b_vecs = kAsync ? std::min(b_vecs, out_share) : 0;
  const size_t smem = kAsync ? size_t(16) * (16 * b_vecs + out_share) : 0;
  auto kernel = kRowsC ? gemv::add_lora_gemv_rows_r16<kThreads, kRowsC ? kRowsC : 1, kEarly>
                       : gemv::add_lora_gemv_r16<kThreads, kAsync, kEarly>;
  cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem));
  ProbeLaunch launch(dim3(c.segs * c.cluster), dim3(kThreads), rs.stream, true, c.cluster, smem);
  auto go = [&](int i) {
    const sgmv::SgmvParams p = params(i);
    cudaLaunchKernelEx(&launch.config, kernel, p, b_vecs);
  };
  double max_err = 0.0;
  if (check) {
    go(0);
    cudaStreamSynchronize(rs.stream);
    std::vector<uint16_t> out(yb / 2);
    cudaMemcpy(out.data(), ys[0], yb, cudaMemcpyDeviceToHost);
    double num = 0.0, den = 0.0;
    for (int s = 0; s < c.segs; ++s)
      for (int t = indptr[s]; t < indptr[s + 1]; ++t) {
        double v[kRank] = {};
        if (lora[s] >= 0)
          for (int r = 0; r < kRank; ++r)
            for (int k = 0; k < c.h_in; ++k)
              v[r] += double(from_bf16(hx[size_t(t) * c.h_in + k])) *
                      from_bf16(ha[(size_t(lora[s]) * kRank + r) * c.h_in + k]);
        for (int n = 0; n < c.h_out; ++n) {
          double d = 0.0;
          if (lora[s] >= 0)
            for (int r = 0; r < kRank; ++r) d += 0.5 * v[r] * from_bf16(hb[(size_t(lora[s]) * c.h_out + n) * kRank + r]);
          const double got = from_bf16(out[size_t(t) * c.h_out + n]) - from_bf16(hy[size_t(t) * c.h_out + n]);
          num += (got - d) * (got - d);
          den += d * d;
          if (lora[s] < 0 && out[size_t(t) * c.h_out + n] != hy[size_t(t) * c.h_out + n]) num += 1e30;
        }
      }
    max_err = std::sqrt(num / std::max(den, 1e-30));
    cudaMemcpy(ys[0], hy.data(), yb, cudaMemcpyHostToDevice);
  }
  const double us = rs.us(sets, go);
  const cudaError_t err = cudaDeviceSynchronize();
  const double floor_bytes = double(xb + 2 * yb) + double(c.segs) * kRank * (c.h_in + c.h_out) * 2 + 8.0 * T * kRank;
  std::printf("h %5d -> %5d  r16  %3d x %d rows  C %d  threads %4d  %s B %4d vecs  %7.2f us  %6.0f GB/s  rel.err %.2e  %s\n",
              c.h_in, c.h_out, c.segs, c.rows_per_seg, c.cluster, kThreads, kRowsC ? (kEarly ? "rowsE" : "rows ") : kAsync ? "async" : kEarly ? "regsE" : "regs ", b_vecs, us, floor_bytes / us * 1e-3, max_err,
              err == cudaSuccess ? "ok" : cudaGetErrorString(err));
  for (int i = 0; i < sets; ++i) cudaFree(xs[i]), cudaFree(ys[i]), cudaFree(as[i]), cudaFree(bs[i]);
  cudaFree(d_indptr);
  cudaFree(d_lora);
}

int main() {
  ReplayStream rs;
  // correctness first: odd shares, several rows a segment, a -1 adapter
  for (const Case& c : {Case{1040, 1032, 1, 5, 4}, Case{272, 136, 3, 4, 4}, Case{4096, 4096, 1, 16, 4}}) {
    run_case<256, false, 4, true>(c, rs, true);
    run_case<256, false, 0, true>(c, rs, true);
  }
  run_case<256, false, 8, true>(Case{1040, 1032, 2, 5, 8}, rs, true);
  run_case<256, false, 0, true>(Case{1040, 1032, 2, 5, 8}, rs, true);
  for (int h : {4096, 8192})
    for (int segs : {4, 8, 16, 32, 64}) {
      for (int c : {2, 4, 8}) {
        if (segs * c > 256 || segs * c < 32) continue;
        run_case<256, false, 0, false>(Case{h, h, 1, segs, c}, rs, false);
        run_case<256, false, 0, true>(Case{h, h, 1, segs, c}, rs, false);
        if (c == 2) {
          run_case<256, false, 2, false>(Case{h, h, 1, segs, c}, rs, false);
          run_case<256, false, 2, true>(Case{h, h, 1, segs, c}, rs, false);
        }
        if (c == 4) {
          run_case<256, false, 4, false>(Case{h, h, 1, segs, c}, rs, false);
          run_case<256, false, 4, true>(Case{h, h, 1, segs, c}, rs, false);
        }
        if (c == 8) {
          run_case<256, false, 8, false>(Case{h, h, 1, segs, c}, rs, false);
          run_case<256, false, 8, true>(Case{h, h, 1, segs, c}, rs, false);
        }
      }
    }
  return 0;
}
