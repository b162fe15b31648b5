// The prefill kernel's producer warps (prefill.cuh): PrefillTile::produce, defined after the class, and the
// cp.async copies it issues.
#pragma once
#include <cstdint>

#include "prefill.cuh"

namespace sgmv {

// One 16-byte cp.async (LDGSTS, L2 only) to shared-memory address `dst`.
__device__ inline void prefill_copy16(uint32_t dst, const uint16_t* src) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(dst), "l"(src) : "memory");
}
// The same for a piece of the weights whose first `bytes` (0-16) lie within a true rank: the rest zero-filled.
__device__ inline void prefill_copy16(uint32_t dst, const uint16_t* src, int bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" :: "r"(dst), "l"(src), "r"(bytes) : "memory");
}

template <class T, int kRank, int kGroups, int kSplit, int kStreamChunk, int kStages, int kProducers, bool kTrueRanks>
__device__ void PrefillTile<T, kRank, kGroups, kSplit, kStreamChunk, kStages, kProducers, kTrueRanks>::produce(
    const SgmvParams& p, SharedStorage& smem, int pw, int me, int blocks) {
  constexpr int kLanesPerRow = kStreamChunk / 8;          // lanes that copy one row piece of x, A or y
  constexpr int kRowStep = 32 / kLanesPerRow * kProducers;  // rows between this lane's rows of x, y and A
  constexpr int kLaneRows = kRows / kRowStep;
  constexpr int kLaneRanks = kRank / kRowStep;
  constexpr int kSlotStep = 32 / kWeightPieces * kProducers;  // B slots between a lane's slots
  static_assert(kSlotStep % 8 == 0, "a lane's slots share their piece_of swizzle");
  constexpr int kLaneSlots = kStreamChunk / kSlotStep;
  static_assert(kRows % kRowStep == 0 && kRank % kRowStep == 0, "whole rows per producer lane");
  static_assert(kRowStep % 2 == 0, "a lane's rows of y share y_offset's swap");
  const int lane = threadIdx.x % 32;
  const int piece = lane % kLanesPerRow;  // this lane's 16-byte piece of every row piece of x, A and y
  const int first = lane / kLanesPerRow + 32 / kLanesPerRow * pw;  // its first row of x, y and A
  const int wpiece = lane % kWeightPieces;
  const int first_slot = lane / kWeightPieces + 32 / kWeightPieces * pw;
  const SgmvSlice& a = p.slices[0];
  const SgmvSlice& b = p.slices[1];
  const int K = a.hidden;
  const int N = b.hidden;
  int k_begin, k_end, n_begin, n_end;
  share(K, me, blocks, k_begin, k_end);
  share(N, me, blocks, n_begin, n_end);
  const uint32_t stage0 = cute::cast_smem_ptr_to_uint(smem.stage[0]);
  // This lane's shared-memory destinations within a stage (plus the stage's offset).
  const uint32_t row_dst = first * kRowPitch + 16 * piece;
  // The shrink's rows of x and A: padded as y's, or with kWarpgroupShrink swizzled, where rows kPhases apart
  // share the swizzle
  constexpr int kPhases = kWarpgroupShrink ? swizzle_period(kRowStep) : 1;
  uint32_t x_dst[kPhases], weight_dst[kPhases];
#pragma unroll
  for (int q = 0; q < kPhases; ++q) {
    x_dst[q] = kWarpgroupShrink ? shrink_offset<kRows>(first + kRowStep * q, piece) : row_dst;
    weight_dst[q] = kRows * kRowPitch + (kWarpgroupShrink ? shrink_offset<kRank>(first + kRowStep * q, piece)
                                                           : row_dst);
  }
  const uint32_t slot_dst = kRows * kRowPitch + first_slot * kWeightPitch + 16 * piece_of(first_slot, wpiece);
  int it = 0;
  for (int n = 0;; ++n) {
    const Info tile = next_tile(smem, n);
    if (tile.rows == 0) break;
    const int row0 = tile.row0;
    const int rows = tile.rows;
    const uint16_t* xs[kLaneRows];  // this lane's piece of each of its rows of x, null past the segment
    const uint16_t* ys[kLaneRows];
#pragma unroll
    for (int j = 0; j < kLaneRows; ++j) {
      const int r = first + kRowStep * j;
      const int64_t row = r < rows ? physical_row(p, row0 + r) : -1;
      xs[j] = row >= 0 ? static_cast<const uint16_t*>(p.x) + row * p.ld_x + 8 * piece : nullptr;
      ys[j] = row >= 0 ? static_cast<const uint16_t*>(p.y) + b.y_col + row * p.ld_y + 8 * piece : nullptr;
    }
    const uint16_t* as[kLaneRanks];
    const uint16_t* wa = static_cast<const uint16_t*>(a.w) + tile.lora * a.w_stride_lora + 8 * piece;
#pragma unroll
    for (int j = 0; j < kLaneRanks; ++j) as[j] = wa + (first + kRowStep * j) * a.w_stride_row;
    const uint16_t* bs[kLaneSlots];  // B's row for each of this lane's slots (the slot order is its own inverse)
    const uint16_t* wb = static_cast<const uint16_t*>(b.w) + tile.lora * b.w_stride_lora + 8 * wpiece;
#pragma unroll
    for (int j = 0; j < kLaneSlots; ++j)
      bs[j] = wb + static_cast<int64_t>(n_begin + weight_slot(first_slot + kSlotStep * j)) * b.w_stride_row;
    const int64_t b_chunk = static_cast<int64_t>(kStreamChunk) * b.w_stride_row;
    // kTrueRanks: the bytes of this lane's piece of each row of B (8 wpiece .. 8 wpiece + 7) within the rank
    [[maybe_unused]] int b_bytes = 16;
    if constexpr (kTrueRanks) b_bytes = min(16, max(0, 2 * (tile.rank - 8 * wpiece)));

    auto next_stage = [&]() -> uint32_t {
      const int s = stage_of(it);
      Barrier::wait(&smem.empty[s], parity_of(it) ^ 1);  // the first use of a stage passes at once
      return stage0 + s * kStageBytes;
    };
    auto landed = [&]() {
      asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];"
                   :: "r"(cute::cast_smem_ptr_to_uint(&smem.full[stage_of(it)])) : "memory");
    };
    for (int k0 = k_begin; k0 < k_end; k0 += kStreamChunk, ++it) {
      const uint32_t st = next_stage();
      // this lane's piece of its j-th row of x and of A in stage `st`
      constexpr int kShrinkPitch = kWarpgroupShrink ? 128 : kRowPitch;
      auto x_at = [&](int j) -> uint32_t {
        return st + x_dst[j % kPhases] + kRowStep * (j - j % kPhases) * kShrinkPitch;
      };
      auto a_dst = [&](int j) -> uint32_t {
        return st + weight_dst[j % kPhases] + kRowStep * (j - j % kPhases) * kShrinkPitch;
      };
      if (8 * piece < k_end - k0) {  // the last chunk may be narrower
#pragma unroll
        for (int j = 0; j < kLaneRows; ++j)
          if (xs[j] != nullptr) prefill_copy16(x_at(j), xs[j] + k0);
#pragma unroll
        for (int j = 0; j < kLaneRanks; ++j) {
          if constexpr (kTrueRanks)  // this lane's row first + kRowStep j of A, if within the rank
            prefill_copy16(a_dst(j), as[j] + k0, first + kRowStep * j < tile.rank ? 16 : 0);
          else
            prefill_copy16(a_dst(j), as[j] + k0);
        }
      } else if constexpr (kWarpgroupShrink) {
        // Zeros past h_in: the warpgroup MMAs take every step of a chunk (a step skipped in a warpgroup's code
        // made ptxas serialize all its wgmma). Size 0: nothing is read from x's first element.
        const uint16_t* any = static_cast<const uint16_t*>(p.x);
#pragma unroll
        for (int j = 0; j < kLaneRows; ++j) prefill_copy16(x_at(j), any, 0);
#pragma unroll
        for (int j = 0; j < kLaneRanks; ++j) prefill_copy16(a_dst(j), any, 0);
      }
      landed();
    }
    for (int n0 = n_begin; n0 < n_end; n0 += kStreamChunk, ++it) {
      const int cols = min(kStreamChunk, n_end - n0);
      const uint32_t st = next_stage();
      if (8 * piece < cols) {
#pragma unroll
        for (int j = 0; j < kLaneRows; ++j)
          if (ys[j] != nullptr)  // rows kRowStep (even) apart: y_offset's same swap (or x's padded rows)
            prefill_copy16(st + (kWarpgroupShrink ? y_offset(first, 8 * piece) : row_dst) + kRowStep * j * kYPitch,
                           ys[j] + n0);
      }
#pragma unroll
      for (int j = 0; j < kLaneSlots; ++j) {
        if (weight_slot(first_slot + kSlotStep * j) < cols) {
          if constexpr (kTrueRanks)
            prefill_copy16(st + slot_dst + kSlotStep * j * kWeightPitch, bs[j], b_bytes);
          else
            prefill_copy16(st + slot_dst + kSlotStep * j * kWeightPitch, bs[j]);
        }
        bs[j] += b_chunk;
      }
      landed();
    }
  }
}

}  // namespace sgmv
