// The prefill kernel's consumer warps (prefill.cuh): PrefillTile::consume, defined after the class. Each takes its
// 16-row group of every tile of the block and a kSplit-th of each chunk: the shrink's MMAs over x and A (or the
// warpgroup's, shrink_warpgroup), the partial v summed over the group's warps (sum_parts) and, in a cluster, swapped
// with the partner (swap_partials), then the expand's MMAs over v and B, y read from the stage and stored.
#pragma once

#include "prefill.cuh"

namespace sgmv {

template <class T, int kRank, int kGroups, int kSplit, int kStreamChunk, int kStages, int kProducers, bool kTrueRanks,
          int kPhase>
__device__ void
PrefillTile<T, kRank, kGroups, kSplit, kStreamChunk, kStages, kProducers, kTrueRanks, kPhase>::consume(
    const SgmvParams& p, SharedStorage& smem, int cw, int me, int blocks) {
  using Traits = ElementTraits<T>;
  const int group = group_of(cw);
  const int part = part_of(cw);  // this warp's share: 16-wide steps (shrink), 32-column groups (expand)
  const int lane = threadIdx.x % 32;
  const int g = lane / 4;
  const int t = lane % 4;
  const int K = p.slices[0].hidden;
  const int N = p.slices[1].hidden;
  int k_begin, k_end, n_begin, n_end;
  share(K, me, blocks, k_begin, k_end);
  share(N, me, blocks, n_begin, n_end);
  if constexpr (!kShrinks) k_end = k_begin;  // the standalone halves (kPhase): as `produce`
  if constexpr (!kExpands) n_end = n_begin;
  uint16_t* y = static_cast<uint16_t*>(p.y) + p.slices[1].y_col;
  // This lane's byte offsets within a stage (x's and A's fragments in the shrink, B's fragments and y's pieces in
  // the expand): the same for every stage, so computed once and held. Left to the compiler they were recomputed
  // in each stage, ~20 of the expand's ~115 instructions a stage per warp at rank 16 (NOTES.md, entry 47).
  constexpr int kSteps = kShrinkSteps;
  uint32_t x_off[kSteps], a_off[kSteps][kRankSteps];  // rank 8: lanes 0-15 address A's 8 rows (ldmatrix x2)
#pragma unroll
  for (int i = 0; i < kSteps && !kWarpgroupShrink; ++i) {
    const int ks = kSplit * i + part;
    x_off[i] = row_offset(16 * group + lane % 16, 16 * ks + 8 * (lane / 16));
    asm volatile("" : "+r"(x_off[i]));  // kept in a register, not recomputed in the loop
#pragma unroll
    for (int np = 0; np < kRankSteps && !kWarpgroupShrink; ++np) {
      const int n = 16 * np + lane % 8 + 8 * (lane / 16);
      a_off[i][np] = kRows * kRowPitch + row_offset(n, 16 * ks + 8 * ((lane / 8) % 2));
      asm volatile("" : "+r"(a_off[i][np]));
    }
  }
  // b_off: rank 8 one ldmatrix x4 a 32-column group, [i][0][0] (lane l: slot col0 + l, its one piece)
  uint32_t b_off[kColGroups][kRankSteps][2], y_off[kColGroups][2];
  if constexpr (kWarpgroups) {  // the swizzles are the address's: their atoms must start on their own size
    if (cute::cast_smem_ptr_to_uint(smem.stage[0]) % (kWarpgroupShrink ? 1024 : 8 * kSlotBytes) != 0) __trap();
  }
#pragma unroll
  for (int i = 0; i < kColGroups; ++i) {
    const int col0 = col_group(i, part);
#pragma unroll
    for (int ks = 0; ks < kRankSteps && !kWarpgroupExpand; ++ks)
#pragma unroll
      for (int jp = 0; jp < (kRank8 ? 1 : 2); ++jp) {
        const int slot = kRank8 ? col0 + lane : col0 + 8 * (2 * jp + lane / 16) + lane % 8;
        const int piece = kRank8 ? 0 : 2 * ks + (lane / 8) % 2;
        b_off[i][ks][jp] = weight_at(kRows * kRowPitch, slot, piece);
        asm volatile("" : "+r"(b_off[i][ks][jp]));  // kept in a register, not recomputed in the loop
      }
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      y_off[i][h] = row_offset(16 * group + g + 8 * h, col0 + 8 * t);
      asm volatile("" : "+r"(y_off[i][h]));
    }
  }
  int it = 0;
  uint32_t swaps = 0;  // swaps of partial v this block has made with a partner (every round of every tile)
  uint32_t tiles_swapped = 0;  // tiles whose partial v it has swapped in clusters of 4 or 8
  for (int n = 0;; ++n) {
    const Info tile = next_tile(smem, n);
    if (tile.rows == 0) break;
    const int first_row = tile.row0 + 16 * group;  // the group's first segment row
    const int tile_end = tile.row0 + tile.rows;
    uint16_t* out_rows[2];  // this lane's rows g and g + 8 of y, null past the segment
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = first_row + g + 8 * h;
      out_rows[h] = row < tile_end ? y + physical_row(p, row) * p.ld_y : nullptr;
    }

    float acc[kNTiles][4];
    zero_fill(acc);
    [[maybe_unused]] int pending = -1;  // kWarpgroupShrink: the stage whose MMAs may still read it
    for (int k0 = k_begin; k0 < k_end; k0 += kStreamChunk, ++it) {
      const int s = stage_of(it);
      stamp_wait(kWaitShrinkStage, it, n);
      Barrier::wait(&smem.full[s], parity_of(it));
      const unsigned char* stage = smem.stage[s];
      const int steps = min(kStreamChunk, k_end - k0) / 16;
      if constexpr (kWarpgroupShrink) {
        // This stage's MMAs stay in flight while the next stage is awaited: the previous stage is released once
        // its own have completed (wait<1>); at the share's last chunk every one has (wait<0>), and it is summed.
        shrink_warpgroup(stage, part, acc);
        if (k0 + kStreamChunk < k_end) {
          cute::warpgroup_wait<1>();
          if (pending >= 0) Barrier::arrive(&smem.empty[pending]);
          pending = s;
        } else {
          cute::warpgroup_wait<0>();
#pragma unroll
          for (int j = 0; j < kNTiles; ++j)
#pragma unroll
            for (int e = 0; e < 4; ++e) cute::warpgroup_fence_operand(acc[j][e]);
          if (pending >= 0) Barrier::arrive(&smem.empty[pending]);
          pending = -1;
          sum_parts(smem.stage[s], group, part, acc);
          Barrier::arrive(&smem.empty[s]);
        }
      } else {
#pragma unroll
        for (int i = 0; i < kSteps; ++i) {
          const int ks = kSplit * i + part;
          if (ks >= steps) break;
          uint32_t a[4];
          cute::SM75_U32x4_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(stage + x_off[i]),
                                        a[0], a[1], a[2], a[3]);
          if constexpr (kRank8) {  // A's 8 rows, k 0-7 and 8-15
            uint32_t w[2];
            cute::SM75_U32x2_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(stage + a_off[i][0]), w[0], w[1]);
            mma_16x8x16<T>(acc[0], a, w[0], w[1]);
          }
#pragma unroll
          for (int np = 0; np < kRank / 16; ++np) {
            uint32_t w[4];
            cute::SM75_U32x4_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(stage + a_off[i][np]),
                                          w[0], w[1], w[2], w[3]);
            mma_16x8x16<T>(acc[2 * np], a, w[0], w[1]);
            mma_16x8x16<T>(acc[2 * np + 1], a, w[2], w[3]);
          }
        }
        if (k0 + kStreamChunk >= k_end) sum_parts(smem.stage[s], group, part, acc);  // the share's last chunk
        Barrier::arrive(&smem.empty[s]);  // every lane: an arrival releases the arriving thread's reads only
      }
    }
    if constexpr (kWarpgroupShrink) cute::warpgroup_wait<0>();  // done already; ptxas sees none in flight
    if constexpr (!kShrinks) {
      load_v(p, first_row, tile_end, acc);  // the standalone expand: v given, no swap (blocks split h_out only)
    } else if constexpr (kSwapRounds == 1) {
      if (blocks > 1) {
        const uint32_t parity = (swaps++) & 1;
        swap_partials(smem, group, part, me ^ 1, 0, parity, parity, me ^ 1, 0, acc);
      }
    } else if (blocks > 1) {
      for (int round = 0; (1 << round) < blocks; ++round) {
        const int next_round = (2 << round) < blocks ? round + 1 : 0;
        // Round 0 pushes into slots last filled in the previous tile's last round (none before the first tile);
        // round r > 0 into slots filled in this tile's round r - 1: it waits for that read (read_parity's note).
        const uint32_t read_parity = (tiles_swapped & 1) ^ (round > 0 ? 1 : 0);
        swap_partials(smem, group, part, me ^ (1 << round), round, read_parity, (swaps++) & 1,
                      me ^ (1 << next_round), next_round, acc);
      }
      ++tiles_swapped;
    }
    stamp_event(kEventSwapped, 0, n);
    if constexpr (!kExpands) {  // the standalone shrink: every block and warp of the group holds the same sum
      store_v(p, first_row, tile_end, tile.scale, part + kSplit * me, kSplit * blocks, acc);
      continue;
    }

    // v as the expand's A operand: the accumulator of n-tiles 2ks and 2ks + 1 is the A fragment of rank step
    // ks (rank 8: n-tile 0's is the m16n8k8 fragment, registers 0 and 1); v = hi + lo in two 16-bit parts (as
    // the launch pair's expand, which reads v in float32).
    uint32_t v_hi[kRankSteps][4], v_lo[kRankSteps][4];
#pragma unroll
    for (int ks = 0; ks < kRankSteps; ++ks)
#pragma unroll
      for (int i = 0; i < (kRank8 ? 2 : 4); ++i) {
        const float* f = &acc[2 * ks + i / 2][2 * (i % 2)];
        v_hi[ks][i] = Traits::pack(f[0], f[1]);
        const float2 hi = Traits::unpack(v_hi[ks][i]);
        v_lo[ks][i] = Traits::pack(f[0] - hi.x, f[1] - hi.y);
      }

    const float scale = tile.scale;
    for (int n0 = n_begin; n0 < n_end; n0 += kStreamChunk, ++it) {
      const int s = stage_of(it);
      stamp_wait(kWaitExpandStage, it, n);
      Barrier::wait(&smem.full[s], parity_of(it));
      const unsigned char* stage = smem.stage[s];
      const int cols = min(kStreamChunk, n_end - n0);
      if constexpr (kWarpgroupExpand) {
        expand_warpgroup(stage, part, cols, n0, y_off, out_rows, v_hi, v_lo, scale);
      } else {
#pragma unroll
        for (int i = 0; i < kColGroups; ++i) {
          const int col0 = col_group(i, part);  // this warp's 32-column group of the chunk
          if (col0 >= cols) break;
          float out[4][4];
          zero_fill(out);
          if constexpr (kRank8) {  // n-tile j: slots col0 + 8 j ..
            uint32_t w[4];
            cute::SM75_U32x4_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(stage + b_off[i][0][0]),
                                          w[0], w[1], w[2], w[3]);
            const uint32_t hi[2] = {v_hi[0][0], v_hi[0][1]};
            const uint32_t lo[2] = {v_lo[0][0], v_lo[0][1]};
#pragma unroll
            for (int j = 0; j < 4; ++j) {
              mma_16x8x8<T>(out[j], hi, w[j]);
              mma_16x8x8<T>(out[j], lo, w[j]);
            }
          }
#pragma unroll
          for (int ks = 0; ks < kRank / 16; ++ks)
#pragma unroll
            for (int jp = 0; jp < 2; ++jp) {  // n-tiles 2 jp and 2 jp + 1
              uint32_t w[4];
              cute::SM75_U32x4_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(stage + b_off[i][ks][jp]),
                                            w[0], w[1], w[2], w[3]);
              mma_16x8x16<T>(out[2 * jp], v_hi[ks], w[0], w[1]);
              mma_16x8x16<T>(out[2 * jp], v_lo[ks], w[0], w[1]);
              mma_16x8x16<T>(out[2 * jp + 1], v_hi[ks], w[2], w[3]);
              mma_16x8x16<T>(out[2 * jp + 1], v_lo[ks], w[2], w[3]);
            }
          // Lane (g, t): columns col0 + 8 t + 2 j + e of rows g (h = 0) and g + 8 (h = 1) are out[j][2 h + e].
          const int col = col0 + 8 * t;
          if (col >= cols) continue;
          update_y(stage, y_off[i], out_rows, n0, col, scale, [&](int j, int k) { return out[j][k]; });
        }
      }
      Barrier::arrive(&smem.empty[s]);  // every lane: an arrival releases the arriving thread's reads only
    }
  }
  stamp_wait(kWaitDone, it, 0);
}

}  // namespace sgmv
