// Warpgroup MMAs (sm_90a wgmma) of the prefill kernel's 64-row tile (prefill.cuh, NOTES entries 60 and 106) and the
// fused kernel's 32-row expand (expand_warpgroup.cuh), over CuTe's atoms.
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

// The wgmma descriptor of K-major rows of kPitch bytes (128, 64 or 32) from shared-memory address `addr` (a row of the
// operand's first 8-row atom, plus a 16-wide step's 32 bytes), their 16-byte pieces swizzled as that row width's
// wgmma swizzle does (of the address: the operand's atoms start on multiples of 8 x kPitch bytes), 8-row atoms
// kPitch x 8 bytes apart (stride_byte_offset).
template <int kPitch>
__device__ __forceinline__ uint64_t swizzled_kmajor_desc(uint32_t addr) {
  static_assert(kPitch == 128 || kPitch == 64 || kPitch == 32, "a wgmma swizzle's row width");
  cute::GmmaDescriptor desc;
  desc.bitfield.start_address_ = static_cast<uint16_t>(addr >> 4);
  desc.bitfield.leading_byte_offset_ = 1;  // unused by the swizzled K-major layouts
  desc.bitfield.stride_byte_offset_ = static_cast<uint16_t>(8 * kPitch >> 4);
  desc.bitfield.base_offset_ = 0;
  desc.bitfield.layout_type_ = kPitch == 128 ? 1 : kPitch == 64 ? 2 : 3;  // 128B, 64B, 32B swizzle
  return desc.desc_;
}

template <class T, int N>
__device__ __forceinline__ void wgmma_64xNx16(float (&d)[N / 8][4], const uint32_t (&a)[4], uint64_t b_desc) {
  warpgroup_fma<typename WarpgroupMma<T, N>::RS, N>(d, a[0], a[1], a[2], a[3], b_desc);
}

// The same with D = A * B (wgmma's scale-d 0): a batch's first step, D's registers not read, so not zeroed before.
template <class Op, int N, size_t... I>
__device__ __forceinline__ void warpgroup_mul_each(float (&d)[N / 8][4], std::index_sequence<I...>,
                                                   const uint32_t (&a)[4], uint64_t b_desc) {
  Op::fma(a[0], a[1], a[2], a[3], b_desc, d[I / 4][I % 4]..., cute::SM90::GMMA::ScaleOut::Zero);
}
template <class T, int N>
__device__ __forceinline__ void wgmma_64xNx16_first(float (&d)[N / 8][4], const uint32_t (&a)[4], uint64_t b_desc) {
  warpgroup_mul_each<typename WarpgroupMma<T, N>::RS, N>(d, std::make_index_sequence<N / 2>{}, a, b_desc);
}

template <class T, int N>
__device__ __forceinline__ void wgmma_64xNx16(float (&d)[N / 8][4], uint64_t a_desc, uint64_t b_desc) {
  warpgroup_fma<typename WarpgroupMma<T, N>::SS, N>(d, a_desc, b_desc);
}

}  // namespace sgmv
