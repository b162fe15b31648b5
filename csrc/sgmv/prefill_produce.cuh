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

template <class T, int kRank, int kGroups, int kSplit, int kStreamChunk, int kStages, int kProducers, bool kTrueRanks,
          int kPhase>
__device__ void
PrefillTile<T, kRank, kGroups, kSplit, kStreamChunk, kStages, kProducers, kTrueRanks, kPhase>::produce(
    const SgmvParams& p, SharedStorage& smem, int pw, int me, int blocks) {
  // x, A and y: each lane copies one 16-byte piece (`piece`) of every 128-byte line of rows row8 + 8 h, so 8
  // lanes fill a line (one line of global memory, one of the stage) and a lane's rows share their swizzle
  // (row_offset's and shrink_offset's go by the row mod 8): one destination an area, plus constants.
  static_assert(kProducers == 2, "two producer warps' lanes: 8 rows of 8 pieces");
  constexpr int kLines = kStreamChunk / 64;  // 128-byte lines of a staged row
  constexpr int kLaneRows = kRows / 8;       // this lane's rows of x and y
  constexpr int kLaneRanks = kRank / 8;      // and of A
  constexpr int kSlotStep = 32 / kWeightPieces * kProducers;  // B slots between a lane's slots
  // weight_at's swizzle goes by the slot mod 8: a lane's slots share theirs up to rank 64; at rank 128 (every fourth
  // slot a lane) its odd slots have another
  static_assert(kSlotStep % 8 == 0 || kSlotStep == 4, "a lane's slots take one swizzle, or two in turn");
  constexpr int kLaneSlots = kStreamChunk / kSlotStep;
  const int lane = threadIdx.x % 32;
  const int piece = lane % 8;
  const int row8 = lane / 8 + 4 * pw;
  const int wpiece = lane % kWeightPieces;
  const int first_slot = lane / kWeightPieces + 32 / kWeightPieces * pw;
  const SgmvSlice& a = p.slices[0];
  const SgmvSlice& b = p.slices[1];
  const int K = a.hidden;
  const int N = b.hidden;
  int k_begin, k_end, n_begin, n_end;
  share(K, me, blocks, k_begin, k_end);
  share(N, me, blocks, n_begin, n_end);
  if constexpr (!kShrinks) k_end = k_begin;  // the standalone expand streams no x or A (kPhase)
  if constexpr (!kExpands) n_end = n_begin;  // the standalone shrink no y or B
  const uint32_t stage0 = cute::cast_smem_ptr_to_uint(smem.stage[0]);
  // This lane's destinations within a stage (plus the stage's offset) for its first row, and the bytes to its
  // next row (8 rows on) and next line
  const uint32_t x_dst = kWarpgroupShrink ? shrink_offset<kRows>(row8, piece) : row_offset(row8, 8 * piece);
  const uint32_t a_dst = kRows * kRowPitch + (kWarpgroupShrink ? shrink_offset<kRank>(row8, piece)
                                                                : row_offset(row8, 8 * piece));
  const uint32_t y_dst = row_offset(row8, 8 * piece);
  constexpr int kRows8 = 8 * (kWarpgroupShrink ? 128 : 2 * kStreamChunk);  // x's and A's
  constexpr int kXLine = kWarpgroupShrink ? kRows * 128 : 128;
  constexpr int kALine = kWarpgroupShrink ? kRank * 128 : 128;
  // This lane's slot j lies kSlotStep j slots of kSlotBytes on from slot_dst, or at rank 128, for odd j, from
  // odd_slot_dst (its next slot's destination less kSlotStep slots)
  const uint32_t slot_dst = weight_at(kRows * kRowPitch, first_slot, wpiece);
  [[maybe_unused]] const uint32_t odd_slot_dst =
      weight_at(kRows * kRowPitch, first_slot + kSlotStep, wpiece) - kSlotStep * kSlotBytes;
  int it = 0;
  for (int n = 0;; ++n) {
    const Info tile = next_tile(smem, n);
    if (tile.rows == 0) break;
    const int row0 = tile.row0;
    const int rows = tile.rows;
    const uint16_t* xs[kLaneRows];  // this lane's piece of each of its rows of x, null past the segment
    const uint16_t* ys[kLaneRows];
#pragma unroll
    for (int h = 0; h < kLaneRows; ++h) {
      const int r = row8 + 8 * h;
      const int64_t row = r < rows ? physical_row(p, row0 + r) : -1;
      xs[h] = row >= 0 && kShrinks ? static_cast<const uint16_t*>(p.x) + row * p.ld_x + 8 * piece : nullptr;
      ys[h] = row >= 0 && kExpands ? static_cast<const uint16_t*>(p.y) + b.y_col + row * p.ld_y + 8 * piece
                                   : nullptr;
    }
    // this lane's piece of its first row of A, and the elements to its next, 8 rows on (32-bit offsets within an
    // adapter's A: fewer registers than a pointer a row)
    const uint16_t* wa = static_cast<const uint16_t*>(a.w) + tile.lora * a.w_stride_lora + 8 * piece +
                         static_cast<int64_t>(row8) * a.w_stride_row;
    const int a_rows8 = static_cast<int>(8 * a.w_stride_row);
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
      stamp_wait(kWaitFreeStage, it, n);
      Barrier::wait(&smem.empty[s], parity_of(it) ^ 1);  // the first use of a stage passes at once
      return stage0 + s * kStageBytes;
    };
    auto landed = [&]() {
      asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];"
                   :: "r"(cute::cast_smem_ptr_to_uint(&smem.full[stage_of(it)])) : "memory");
    };
    for (int k0 = k_begin; k0 < k_end; k0 += kStreamChunk, ++it) {
      const uint32_t st = next_stage();
#pragma unroll
      for (int l = 0; l < kLines; ++l) {
        if (8 * piece < k_end - k0 - 64 * l) {  // the last chunk may be narrower
#pragma unroll
          for (int h = 0; h < kLaneRows; ++h)
            if (xs[h] != nullptr) prefill_copy16(st + x_dst + h * kRows8 + l * kXLine, xs[h] + k0 + 64 * l);
#pragma unroll
          for (int h = 0; h < kLaneRanks; ++h) {
            const uint32_t dst = st + a_dst + h * kRows8 + l * kALine;
            if constexpr (kTrueRanks)  // this lane's row row8 + 8 h of A, if within the rank
              prefill_copy16(dst, wa + (h * a_rows8 + k0 + 64 * l), row8 + 8 * h < tile.rank ? 16 : 0);
            else
              prefill_copy16(dst, wa + (h * a_rows8 + k0 + 64 * l));
          }
        } else if constexpr (kWarpgroupShrink) {
          // Zeros past h_in: the warpgroup MMAs take every step of a chunk (a step skipped in a warpgroup's code
          // made ptxas serialize all its wgmma). Size 0: nothing is read from x's first element.
          const uint16_t* any = static_cast<const uint16_t*>(p.x);
#pragma unroll
          for (int h = 0; h < kLaneRows; ++h) prefill_copy16(st + x_dst + h * kRows8 + l * kXLine, any, 0);
#pragma unroll
          for (int h = 0; h < kLaneRanks; ++h) prefill_copy16(st + a_dst + h * kRows8 + l * kALine, any, 0);
        }
      }
      landed();
    }
    for (int n0 = n_begin; n0 < n_end; n0 += kStreamChunk, ++it) {
      const int cols = min(kStreamChunk, n_end - n0);
      const uint32_t st = next_stage();
#pragma unroll
      for (int l = 0; l < kLines; ++l) {
        if (8 * piece < cols - 64 * l) {
#pragma unroll
          for (int h = 0; h < kLaneRows; ++h)
            if (ys[h] != nullptr)
              prefill_copy16(st + y_dst + h * 16 * kStreamChunk + 128 * l, ys[h] + n0 + 64 * l);
        }
      }
#pragma unroll
      for (int j = 0; j < kLaneSlots; ++j) {
        if (weight_slot(first_slot + kSlotStep * j) < cols) {
          const uint32_t first = kSlotStep % 8 != 0 && j % 2 == 1 ? odd_slot_dst : slot_dst;
          if constexpr (kTrueRanks)
            prefill_copy16(st + first + kSlotStep * j * kSlotBytes, bs[j], b_bytes);
          else
            prefill_copy16(st + first + kSlotStep * j * kSlotBytes, bs[j]);
        }
        bs[j] += b_chunk;
      }
      landed();
    }
  }
  stamp_wait(kWaitDone, it, 0);
}

}  // namespace sgmv
