// Reading the batch layout on the device: segment boundaries and adapter indices come straight from
// the caller's tensors, clamped so that garbage indices can never produce an out-of-bounds access.
#pragma once
#include "params.cuh"

namespace sgmv {

struct Segment {
  int begin;     // first row
  int end;       // one past the last row
  int lora;      // adapter index, valid only when active
  float scale;   // effective scale for this segment
  bool active;   // a real adapter and at least one row
};

__device__ __forceinline__ int64_t load_index(const void* base, int i, bool is_64) {
  return is_64 ? static_cast<const int64_t*>(base)[i] : static_cast<const int32_t*>(base)[i];
}

__device__ __forceinline__ Segment load_segment(const SgmvParams& p, int s) {
  Segment seg;
  int64_t b = load_index(p.seg_indptr, s, p.indptr_is_64);
  int64_t e = load_index(p.seg_indptr, s + 1, p.indptr_is_64);
  int64_t l = load_index(p.lora_indices, s, p.lora_is_64);
  b = b < 0 ? 0 : (b > p.num_rows ? p.num_rows : b);
  e = e < b ? b : (e > p.num_rows ? p.num_rows : e);
  seg.begin = static_cast<int>(b);
  seg.end = static_cast<int>(e);
  seg.active = l >= 0 && l < p.num_loras && e > b;
  seg.lora = seg.active ? static_cast<int>(l) : 0;
  seg.scale = p.scale;
  if (seg.active && p.scales != nullptr) seg.scale *= p.scales[seg.lora];
  return seg;
}

}  // namespace sgmv
