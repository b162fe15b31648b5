// Warpgroup MMAs (sm_90a wgmma) of the prefill kernel's 64-row tile (prefill.cuh, NOTES entries 60 and 106), over
// CuTe's atoms.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cute/arch/mma_sm90_desc.hpp>
#include <cute/arch/mma_sm90_gmma.hpp>

namespace sgmv {

// D(64xN, float32) += A(64x16) * B(16xN, shared memory descriptor) over a warpgroup (sm_90a), both K-major: A from
// registers (RS: each warp holds A's 16 rows as the mma.sync fragment of its 16x16 step) or from shared memory (SS:
// a descriptor too). Each warp holds D's 16 rows as the mma.sync accumulators of N / 8 n-tiles. N: 64 (the expand's
// 64 columns of y, the shrink at rank 64), 128, 32 or 16 (the shrink at those ranks).
template <class T, int N> struct WarpgroupMma;
#define SGMV_WARPGROUP_MMA(TYPE, N, NAME)                                                                 \
  template <> struct WarpgroupMma<TYPE, N> {                                                              \
    using RS = cute::SM90::GMMA::MMA_64x##N##x16_F32##NAME##_RS<cute::SM90::GMMA::Major::K,               \
                                                                cute::SM90::GMMA::Major::K>;              \
    using SS = cute::SM90::GMMA::MMA_64x##N##x16_F32##NAME##_SS<cute::SM90::GMMA::Major::K,               \
                                                                cute::SM90::GMMA::Major::K>;              \
  };
SGMV_WARPGROUP_MMA(__nv_bfloat16, 128, BF16BF16)
SGMV_WARPGROUP_MMA(__nv_bfloat16, 64, BF16BF16)
SGMV_WARPGROUP_MMA(__nv_bfloat16, 32, BF16BF16)
SGMV_WARPGROUP_MMA(__nv_bfloat16, 16, BF16BF16)
SGMV_WARPGROUP_MMA(__half, 128, F16F16)
SGMV_WARPGROUP_MMA(__half, 64, F16F16)
SGMV_WARPGROUP_MMA(__half, 32, F16F16)
SGMV_WARPGROUP_MMA(__half, 16, F16F16)
#undef SGMV_WARPGROUP_MMA

// Op::fma with the operands `a` (A's registers or descriptor, then B's descriptor) and D's N / 2 floats, in order
// (d[0][0], d[0][1], ..., d[N / 8 - 1][3]: float I is d[I / 4][I % 4]).
template <class Op, int N, size_t... I, class... Operands>
__device__ __forceinline__ void warpgroup_fma_each(float (&d)[N / 8][4], std::index_sequence<I...>, Operands... a) {
  Op::fma(a..., d[I / 4][I % 4]...);
}

template <class Op, int N, class... Operands>
__device__ __forceinline__ void warpgroup_fma(float (&d)[N / 8][4], Operands... a) {
  static_assert(N == 16 || N == 32 || N == 64 || N == 128, "the instantiated widths");
  warpgroup_fma_each<Op, N>(d, std::make_index_sequence<N / 2>{}, a...);
}

template <class T, int N>
__device__ __forceinline__ void wgmma_64xNx16(float (&d)[N / 8][4], const uint32_t (&a)[4], uint64_t b_desc) {
  warpgroup_fma<typename WarpgroupMma<T, N>::RS, N>(d, a[0], a[1], a[2], a[3], b_desc);
}

template <class T, int N>
__device__ __forceinline__ void wgmma_64xNx16(float (&d)[N / 8][4], uint64_t a_desc, uint64_t b_desc) {
  warpgroup_fma<typename WarpgroupMma<T, N>::SS, N>(d, a_desc, b_desc);
}

}  // namespace sgmv
