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

// Flat row-tile scheduling (p.flat_tiles): the batch's row tiles of kRowsPerTile rows, segment after segment,
// are numbered from 0 (segments without an adapter or rows have none), and a block takes one by number. So a
// long segment gets as many blocks as it has tiles, whatever the mean segment length the host sized the grid
// from (skewed adapter popularity). Every thread of the block calls this: the block scans the segments' tile
// counts, kThreads segments at a time. Returns false (for the whole block) when `tile` is past the last one.
// Exclusive prefix sum of `value` over the block's threads, and the block's total (kThreads a multiple of 32).
// `warp_sums` is kThreads / 32 ints of shared memory; ends with a barrier, so it may be reused right after.
template <int kThreads>
__device__ __forceinline__ int block_exclusive_sum(int value, int* warp_sums, int& total) {
  static_assert(kThreads % 32 == 0, "whole warps");
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
  int inclusive = value;
#pragma unroll
  for (int d = 1; d < 32; d *= 2) {
    const int up = __shfl_up_sync(0xffffffffu, inclusive, d);
    if (lane >= d) inclusive += up;
  }
  if (lane == 31) warp_sums[warp] = inclusive;
  __syncthreads();
  int before = 0;
  total = 0;
#pragma unroll
  for (int w = 0; w < kThreads / 32; ++w) {
    before += w < warp ? warp_sums[w] : 0;
    total += warp_sums[w];
  }
  __syncthreads();
  return before + inclusive - value;
}

// locate_tile_in: the scan's shared memory (warp_sums: kThreads / 32 ints) from the caller's storage; locate_tile
// declares it static.
template <int kRowsPerTile, int kThreads>
__device__ __forceinline__ bool locate_tile_in(const SgmvParams& p, int tile, Segment& seg, int& row_tile,
                                               int* warp_sums, Segment& found_seg, int& found_tile) {
  if (threadIdx.x == 0) found_tile = -1;
  __syncthreads();
  int tiles_before = 0;
  for (int s0 = 0; s0 < p.num_segments; s0 += kThreads) {
    const int s = s0 + static_cast<int>(threadIdx.x);
    Segment mine{};
    int tiles = 0;
    if (s < p.num_segments) {
      mine = load_segment(p, s);
      tiles = mine.active ? (mine.end - mine.begin + kRowsPerTile - 1) / kRowsPerTile : 0;
    }
    int chunk_tiles;
    const int first = tiles_before + block_exclusive_sum<kThreads>(tiles, warp_sums, chunk_tiles);
    if (tile >= first && tile < first + tiles) {
      found_seg = mine;
      found_tile = tile - first;
    }
    tiles_before += chunk_tiles;
    __syncthreads();  // found_* written
    if (found_tile >= 0 || tiles_before > tile) break;  // uniform
  }
  if (found_tile < 0) return false;
  seg = found_seg;
  row_tile = found_tile;
  return true;
}

template <int kRowsPerTile, int kThreads>
__device__ __forceinline__ bool locate_tile(const SgmvParams& p, int tile, Segment& seg, int& row_tile) {
  __shared__ int warp_sums[kThreads / 32];
  __shared__ Segment found_seg;
  __shared__ int found_tile;
  return locate_tile_in<kRowsPerTile, kThreads>(p, tile, seg, row_tile, warp_sums, found_seg, found_tile);
}

// This block's segment and its first row tile: from p.flat_tiles' numbering (the block's only tile), or
// segment `segment` with the row-tile groups of grid z (tiles rt_first, + gridDim.z, ...: row_tile_stride).
// False: nothing to do.
template <int kRowsPerTile, int kThreads>
__device__ __forceinline__ bool block_rows(const SgmvParams& p, int segment, Segment& seg, int& rt_first) {
  if (p.flat_tiles) return locate_tile<kRowsPerTile, kThreads>(p, static_cast<int>(blockIdx.z), seg, rt_first);
  seg = load_segment(p, segment);
  rt_first = static_cast<int>(blockIdx.z);
  return seg.active;
}

// The step between a block's row tiles (computed where used: a register held across the loop cost a spill).
__device__ __forceinline__ int row_tile_stride(const SgmvParams& p, int row_tiles) {
  return p.flat_tiles ? row_tiles : static_cast<int>(gridDim.z);
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
