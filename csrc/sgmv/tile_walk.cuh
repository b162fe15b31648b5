// The prefill kernel's walk over a batch's row tiles (prefill.cuh): which segment, first row, rows, adapter and
// scale each tile number has, found by one warp from the batch tables and handed to the block's other warps.
#pragma once
#include "segments.cuh"

namespace sgmv {

// A batch's row tiles, walked in increasing order by one warp: finds the segment of a tile number with a
// warp-wide scan of the segments' tile counts, 32 segments at a time, from where the last search stopped.
// kTrueRanks: a segment whose adapter has true rank 0 (p.ranks) has no tiles (its rows stay as they were).
template <int kRows, bool kTrueRanks>
struct TileWalk {
  Segment seg{};       // the segment of the current tile
  int seg_first = 0;   // number of its first tile
  int seg_tiles = 0;   // its tile count
  int next_seg = 0;    // first segment not yet scanned
  int tiles_before = 0;  // tiles of the segments before next_seg

  // Moves to tile `tile` (never below the previous one). False (for the whole warp) past the last tile.
  __device__ bool seek(const SgmvParams& p, int tile) {
    const int lane = threadIdx.x % 32;
    while (tile >= seg_first + seg_tiles) {
      if (next_seg >= p.num_segments) return false;
      const int s = next_seg + lane;
      Segment mine{};
      int tiles = 0;
      if (s < p.num_segments) {
        mine = load_segment(p, s);
        const bool adds = mine.active && (!kTrueRanks || adapter_rank(p, mine.lora, p.slices[0].rank) > 0);
        tiles = adds ? (mine.end - mine.begin + kRows - 1) / kRows : 0;
      }
      int inclusive = tiles;
#pragma unroll
      for (int d = 1; d < 32; d *= 2) {
        const int up = __shfl_up_sync(0xffffffffu, inclusive, d);
        if (lane >= d) inclusive += up;
      }
      const int total = __shfl_sync(0xffffffffu, inclusive, 31);
      if (tile < tiles_before + total) {  // the first lane whose tiles reach past `tile` has it (tiles > 0)
        const int src = __ffs(__ballot_sync(0xffffffffu, tiles_before + inclusive > tile)) - 1;
        seg.begin = __shfl_sync(0xffffffffu, mine.begin, src);
        seg.end = __shfl_sync(0xffffffffu, mine.end, src);
        seg.lora = __shfl_sync(0xffffffffu, mine.lora, src);
        seg.scale = __shfl_sync(0xffffffffu, mine.scale, src);
        seg.active = true;
        seg_first = tiles_before + __shfl_sync(0xffffffffu, inclusive - tiles, src);
        seg_tiles = __shfl_sync(0xffffffffu, tiles, src);
        next_seg += src + 1;
        tiles_before = seg_first + seg_tiles;
      } else {
        next_seg += 32;
        tiles_before += total;
      }
    }
    return true;
  }

  __device__ int row0(int tile) const { return seg.begin + (tile - seg_first) * kRows; }
  __device__ int rows(int tile) const { return min(kRows, seg.end - row0(tile)); }
};

// A row tile as the walking warp hands it to the block's other warps: its first segment row, its rows (0: no
// more tiles), its segment's adapter and scale; with true ranks (RankedTileInfo) also the adapter's rank.
struct TileInfo {
  int row0;
  int rows;
  int lora;
  float scale;
};
struct RankedTileInfo : TileInfo {
  int rank;
};

}  // namespace sgmv
