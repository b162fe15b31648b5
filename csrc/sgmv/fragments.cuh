// Register-level building blocks shared by the shrink and expand tiles.
//
// Both kernels feed CuTe's SM80 m16n8k16 tensor-core atom straight from global memory. The reduction
// dimension of a 32-wide chunk is permuted: lane (group g, thread t) loads the 8 contiguous elements
// [8t, 8t+8) of its row as one 16-byte vector and uses elements 0-3 for the first k16 step and 4-7 for
// the second. Operand A (rows) and operand B (weight rows) use the same permutation, so the dot product
// is unchanged while every load is a full 16-byte vector.
#pragma once
#include <cstdint>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cooperative_groups.h>
#include <cute/arch/mma_sm80.hpp>

namespace sgmv {

constexpr int kChunk = 32;  // reduction elements one warp consumes per step (4 lanes x 8)

// Eight 16-bit elements as four packed pairs.
struct Vec8 {
  uint32_t r[4];
};

__device__ __forceinline__ Vec8 zero_vec8() { return Vec8{{0u, 0u, 0u, 0u}}; }

// A 16-byte piece copied into shared memory (a cp.async slot), as the packed pairs the MMAs take.
__device__ __forceinline__ Vec8 vec8_of(const uint4& q) { return Vec8{{q.x, q.y, q.z, q.w}}; }

// Sets every float of an accumulator array (any shape of float arrays) to zero.
template <class Acc>
__device__ __forceinline__ void zero_fill(Acc& acc) {
  constexpr int kFloats = sizeof(Acc) / sizeof(float);
  float* f = reinterpret_cast<float*>(&acc);
#pragma unroll
  for (int i = 0; i < kFloats; ++i) f[i] = 0.f;
}

// Loads elements [k, k + 8) of a row of 16-bit values; elements at or past `limit` read as zero.
// kVectorized requires 16-byte aligned rows holding whole vectors (the dispatcher guarantees it), so a
// vector is either wholly inside or wholly past a limit that is a multiple of 8 (see zero_tail otherwise).
// Nothing here uses the loaded value: every load of a step is in flight before the first use.
template <bool kVectorized>
__device__ __forceinline__ Vec8 load_vec8(const uint16_t* row, int k, int limit, bool valid) {
  Vec8 v = zero_vec8();
  if (!valid) return v;
  if constexpr (kVectorized) {
    if (k < limit) {
      uint4 q = __ldg(reinterpret_cast<const uint4*>(row + k));
      v.r[0] = q.x; v.r[1] = q.y; v.r[2] = q.z; v.r[3] = q.w;
    }
  } else {
#pragma unroll
    for (int i = 0; i < 8; i += 2) {
      uint32_t lo = (k + i < limit) ? row[k + i] : 0u;
      uint32_t hi = (k + i + 1 < limit) ? row[k + i + 1] : 0u;
      v.r[i / 2] = lo | (hi << 16);
    }
  }
  return v;
}

// load_vec8<true> as one predicated instruction instead of branches around the load: the fused kernel's first loads
// are issued by a single warp per scheduler, which pays each instruction's latency (benchmarks/NOTES.md, entry 40).
// A coherent load (not ld.global.nc, which promises data no grid writes while this one runs): ptxas hoisted
// predicated .nc loads above the griddepcontrol.wait before them, so they read x before the previous kernel had
// written it. The asm is volatile, in order with the other volatile asm (the MMAs): use it only where the loads come
// before their MMAs in the source.
__device__ __forceinline__ Vec8 load_vec8_predicated(const uint16_t* row, int k, int limit, bool valid) {
  Vec8 v = zero_vec8();
  asm volatile("{\n\t.reg .pred ok;\n\tsetp.ne.b32 ok, %5, 0;\n\t"
               "@ok ld.global.v4.u32 {%0, %1, %2, %3}, [%4];\n\t}"
               : "+r"(v.r[0]), "+r"(v.r[1]), "+r"(v.r[2]), "+r"(v.r[3])
               : "l"(row + k), "r"(static_cast<int>(valid && k < limit)));
  return v;
}

// Zeroes the elements of a loaded vector from `left` on (a limit inside the vector, such as an adapter's
// true rank); apply it when the value is used, not right after the load.
__device__ __forceinline__ void zero_tail(Vec8& v, int left) {
#pragma unroll
  for (int j = 0; j < 4; ++j) v.r[j] &= (left > 2 * j ? 0x0000ffffu : 0u) | (left > 2 * j + 1 ? 0xffff0000u : 0u);
}

// The 16-bit element types and their tensor-core atom.
template <class T> struct ElementTraits;

template <> struct ElementTraits<__nv_bfloat16> {
  using Mma = cute::SM80_16x8x16_F32BF16BF16F32_TN;
  using Mma8 = cute::SM80_16x8x8_F32BF16BF16F32_TN;  // k 8: a rank-8 v times B (prefill.cuh)
  using Pair = __nv_bfloat162;
  __device__ __forceinline__ static uint32_t pack(float a, float b) {
    Pair h = __floats2bfloat162_rn(a, b);
    return *reinterpret_cast<uint32_t*>(&h);
  }
  __device__ __forceinline__ static float2 unpack(uint32_t u) {
    return __bfloat1622float2(*reinterpret_cast<Pair*>(&u));
  }
  __device__ __forceinline__ static float to_float(uint16_t bits) {
    return __bfloat162float(__ushort_as_bfloat16(bits));
  }
  __device__ __forceinline__ static uint16_t from_float(float f) {
    return __bfloat16_as_ushort(__float2bfloat16_rn(f));
  }
};

template <> struct ElementTraits<__half> {
  using Mma = cute::SM80_16x8x16_F32F16F16F32_TN;
  using Mma8 = cute::SM80_16x8x8_F32F16F16F32_TN;
  using Pair = __half2;
  __device__ __forceinline__ static uint32_t pack(float a, float b) {
    Pair h = __floats2half2_rn(a, b);
    return *reinterpret_cast<uint32_t*>(&h);
  }
  __device__ __forceinline__ static float2 unpack(uint32_t u) {
    return __half22float2(*reinterpret_cast<Pair*>(&u));
  }
  __device__ __forceinline__ static float to_float(uint16_t bits) {
    return __half2float(__ushort_as_half(bits));
  }
  __device__ __forceinline__ static uint16_t from_float(float f) {
    return __half_as_ushort(__float2half_rn(f));
  }
};

// acc += A(16x16) * B(16x8); a holds the four A registers, b0/b1 the two B registers.
template <class T>
__device__ __forceinline__ void mma_16x8x16(float (&acc)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  ElementTraits<T>::Mma::fma(acc[0], acc[1], acc[2], acc[3], a[0], a[1], a[2], a[3], b0, b1,
                             acc[0], acc[1], acc[2], acc[3]);
}

// acc += A(16x8) * B(8x8); a holds the two A registers (rows g and g + 8), b the one B register.
template <class T>
__device__ __forceinline__ void mma_16x8x8(float (&acc)[4], const uint32_t (&a)[2], uint32_t b) {
  ElementTraits<T>::Mma8::fma(acc[0], acc[1], acc[2], acc[3], a[0], a[1], b, acc[0], acc[1], acc[2], acc[3]);
}

// A registers for k16 step `s` (0 or 1) of a chunk, from the permuted vectors of rows g and g + 8.
__device__ __forceinline__ void a_regs(const Vec8& top, const Vec8& bottom, int s, uint32_t (&a)[4]) {
  a[0] = top.r[2 * s];
  a[1] = bottom.r[2 * s];
  a[2] = top.r[2 * s + 1];
  a[3] = bottom.r[2 * s + 1];
}

constexpr int kMaxCluster = 8;  // portable thread-block cluster size (dispatch: MAX_CLUSTER)

// Sum over the first `blocks` (at most kMax) blocks of this thread's cluster of the float4 at `local` (an
// address in this block's shared memory) in each block's copy (distributed shared memory). All remote loads
// are issued before the first add: a loop that waited on each block in turn cost one DSMEM round trip each.
template <int kMax = kMaxCluster>
__device__ __forceinline__ float4 cluster_sum4(const float* local, int blocks) {
  float4 sum = make_float4(0.f, 0.f, 0.f, 0.f);
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  namespace cg = cooperative_groups;
  cg::cluster_group cluster = cg::this_cluster();
  float4 part[kMax];
#pragma unroll
  for (int b = 0; b < kMax; ++b)
    part[b] = b < blocks ? *reinterpret_cast<const float4*>(cluster.map_shared_rank(const_cast<float*>(local), b))
                         : make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
  for (int b = 0; b < kMax; ++b) {
    sum.x += part[b].x; sum.y += part[b].y; sum.z += part[b].z; sum.w += part[b].w;
  }
#endif
  return sum;
}

}  // namespace sgmv
