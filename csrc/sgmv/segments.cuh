// Reading the batch layout on the device: segment boundaries, adapter indices, the row order and the
// adapters' true ranks come straight from the caller's tensors, clamped so that garbage values can never
// produce an out-of-bounds access.
#pragma once
#include "params.cuh"

namespace sgmv {

struct Segment {
  int begin;     // first segment row
  int end;       // one past the last segment row
  int lora;      // adapter index, valid only when active
  float scale;   // effective scale for this segment
  bool active;   // a real adapter and at least one row
};

__device__ __forceinline__ int64_t load_index(const void* base, int i, bool is_64) {
  return is_64 ? static_cast<const int64_t*>(base)[i] : static_cast<const int32_t*>(base)[i];
}

__device__ __forceinline__ int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

__device__ __forceinline__ Segment load_segment(const SgmvParams& p, int s) {
  Segment seg;
  const int64_t b = clamp64(load_index(p.seg_indptr, s, p.indptr_is_64), 0, p.num_rows);
  const int64_t e = clamp64(load_index(p.seg_indptr, s + 1, p.indptr_is_64), b, p.num_rows);
  const int64_t l = load_index(p.lora_indices, s, p.lora_is_64);
  seg.begin = static_cast<int>(b);
  seg.end = static_cast<int>(e);
  seg.active = l >= 0 && l < p.num_loras && e > b;
  seg.lora = seg.active ? static_cast<int>(l) : 0;
  seg.scale = p.scale;
  if (seg.active && p.scales != nullptr) seg.scale *= p.scales[seg.lora];
  return seg;
}

// The row of x, v and y that segment row i stands for (rows in any order: LoraBatch.from_token_loras).
__device__ __forceinline__ int64_t physical_row(const SgmvParams& p, int i) {
  return p.row_index ? clamp64(p.row_index[i], 0, p.num_rows - 1) : i;
}

// This lane's rows g and g + 8 of each 16-row m-tile of the row tile starting at segment row row0, as
// pointers into a row-major tensor (rows ld elements apart); null past the segment's end.
template <int kMTiles, class E>
__device__ __forceinline__ void lane_rows(const SgmvParams& p, E* base, int64_t ld, int row0, int seg_end,
                                          E* (&rows)[kMTiles][2]) {
  const int g = (threadIdx.x % 32) / 4;
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = row0 + mt * 16 + h * 8 + g;
      rows[mt][h] = row < seg_end ? base + physical_row(p, row) * ld : nullptr;
    }
}

// The rank an adapter is computed at in a slice of rank `slice_rank`: its true rank when p.ranks is set.
__device__ __forceinline__ int adapter_rank(const SgmvParams& p, int lora, int slice_rank) {
  if (p.ranks == nullptr) return slice_rank;
  return static_cast<int>(clamp64(load_index(p.ranks, lora, p.ranks_is_64), 0, slice_rank));
}

}  // namespace sgmv
