// The fused kernel's grid handoff (fused.cuh): FusedTile::run_grid, defined after the class. Grid y splits h_in over
// the launch's blocks, which add their partial v into the workspace and meet at its barrier (handoff.cuh: the whole
// launch's, or with kTileBarrier their own row tile's); each block then expands its row tile's columns, its copies of
// B and y issued during the shrink.
#pragma once

#include "fused.cuh"

namespace sgmv {

template <class T, int kRank, int kWarps, int kColTiles, int kUnroll, bool kClusterSum, int kRowTile, bool kFlat,
          bool kRankHalves, bool kTileBarrier, bool kTrueRanks, bool kPacked>
__device__ void FusedTile<T, kRank, kWarps, kColTiles, kUnroll, kClusterSum, kRowTile, kFlat, kRankHalves,
                          kTileBarrier, kTrueRanks, kPacked>::run_grid(const SgmvParams& p, SharedStorage& smem) {
  // dispatch sizes v's buffers (kPacked: every pair's v, pair_rows; a helper returning the buffer itself, not this
  // form, changed the one-slice kernels' SASS at ranks 8-32: benchmarks/NOTES.md, entry 371)
  if (static_cast<int64_t>(p.num_rows) * kRank * (kPacked ? p.num_slices / 2 : 1) > p.split_stride) __trap();
  if constexpr (kTileBarrier)
    if (gridDim.x * gridDim.z > kHandoffMaxTiles) __trap();  // dispatch: the workspace's tile counters
  launch_dependents();
  if (!p.tables_ready) wait_for_prerequisites();
  using Workspace = Handoff<kRank>;
  const Workspace handoff(p);
  const int pair = block_pair(p);
  const SgmvSlice& a = pair_slice(p, pair, 0);
  const SgmvSlice& b = pair_slice(p, pair, 1);
  const int K = a.hidden;
  const int N = b.hidden;
  int row_tile;  // kFlat: the scan's
  const Segment seg = block_segment(p, smem, row_tile);
  const int true_rank = seg.active ? adapter_rank(p, seg.lora, kRank) : 0;
  const int row0 = seg.begin + (kFlat ? row_tile : static_cast<int>(blockIdx.z)) * kWarpRows;
  const int rows = min(kWarpRows, seg.end - row0);
  const bool has_tile = true_rank > 0 && rows > 0;
  uint32_t found = 0;  // the counter as this launch found it (read once the previous kernel is done)
  // kTileBarrier: the block's row tile (-1: none, as for all the tile's blocks) and its counter as found (thread 0)
  const int tile = kTileBarrier && has_tile ? static_cast<int>(blockIdx.z * gridDim.x + blockIdx.x) : -1;
  uint32_t tile_found = 0;
  bool waiting = p.tables_ready;
  auto wait_and_read = [&] {
    if (waiting) wait_for_prerequisites();
    waiting = false;
    found = handoff.read_counter();
    if constexpr (kTileBarrier)
      if (threadIdx.x == 0 && tile >= 0) tile_found = handoff.read_tile_counter(tile);
  };
  // The other buffer, for the next launch (kZeroEarly): the launch before this one, which used it last, is done
  // once the wait is. Zeroed behind the shrink's first loads, its stores land long before the arrival's release
  // (which waits for them) and are off the path after the expand (~314 cycles there; benchmarks/NOTES.md,
  // entry 76).
  auto zero_other = [&] {
    if constexpr (kZeroEarly)
      handoff.template zero<kThreads>(handoff.buffer(found, true), launch_block(), launch_blocks());
  };
  const int warp = threadIdx.x / 32;
  uint16_t* y = static_cast<uint16_t*>(p.y) + b.y_col;
  const uint16_t* wb = static_cast<const uint16_t*>(b.w) + seg.lora * b.w_stride_lora;
  uint16_t* y_rows[kMTiles][2];
  lane_rows(p, y, p.ld_y, row0, seg.end, y_rows);
  [[maybe_unused]] Staged second;  // the block's second column tile: kSecondInRegisters, kSecondFromNextEarly
  if (has_tile) {
    int c_begin, c_end;  // this block's share of h_in
    Shrink::split_chunks(K, blockIdx.y, gridDim.y, c_begin, c_end);
    const uint16_t* x = static_cast<const uint16_t*>(p.x);
    const uint16_t* wa = static_cast<const uint16_t*>(a.w) + seg.lora * a.w_stride_lora;
    const uint16_t* x_rows[kMTiles][2];
    lane_rows(p, x, p.ld_x, row0, seg.end, x_rows);
    const bool has_columns = has_column_tile(N);
    const bool has_second = kRing == 2 && has_column_tile(N, 1);
    const int n_first = blockIdx.y * kBlockCols + warp * Expand::kWarpCols;
    float acc_v[kMTiles][kShrinkRank / 8][4];
    const int n_half = kRankHalves ? warp / kShrinkWarps * kShrinkRank : 0;  // this warp's first rank
    // (warp alone where kRankHalves is false: the other kernels' SASS as before; a named first chunk changed 10)
    Shrink::accumulate(x_rows, K, wa, a.w_stride_row, n_half, true_rank,
                       c_begin + (kRankHalves ? warp % kShrinkWarps : warp), c_end, acc_v, [&] {
      if (has_columns) prefetch(wb, b.w_stride_row, y_rows, n_first, N, true_rank, smem.slots);
      if (has_second)
        prefetch(wb, b.w_stride_row, y_rows, n_first + gridDim.y * kBlockCols, N, true_rank, slots_of(smem, 1));
      zero_other();
    }, wait_and_read);
    if constexpr (kSecondInRegisters)
      if (has_column_tile(N, 1))
        load_tile(wb, b.w_stride_row, y_rows, n_first + gridDim.y * kBlockCols, N, true_rank, second);
    if constexpr (kRankHalves)  // the warps of a half into one tile, its columns from n_half on (the tile's index
      // from threadIdx.x, not `warp`: the SASS the GPU measured, entry 211)
      Shrink::template store_tile<true>(smem.shrink.partial[threadIdx.x / 32 % kShrinkWarps], acc_v, n_half);
    else
      Shrink::template store_warps<Shrink::kSwizzledPartials>(smem.shrink, acc_v);
    __syncthreads();  // every warp's partial tile is stored
    Workspace::template add_warp_sums<kThreads, kWarpRows, kShrinkWarps>(
        handoff.buffer(found) + pair_rows(p, pair) * kRank, &smem.shrink.partial[0][0][0], row0, rows, true_rank,
        Shrink::partial_swizzle());
  } else {
    wait_and_read();
    zero_other();
  }
  const int blocks = launch_blocks();
  const int block = launch_block();
  // The arrival's value and this thread's loads of v, ready before the barrier: after it the loads go out at once.
  const uint32_t add = Workspace::arrival_add(blocks, block == 0);
  const typename Workspace::template TileLoad<kThreads, kWarpRows, kChunks * kChunk> v_load(
      handoff.buffer(found) + pair_rows(p, pair) * kRank, row0, rows, true_rank);
  const auto store_v = [&smem](int row, int col, float4 piece) { Expand::store_split(smem.v, row, col, piece); };
  __syncthreads();  // the block's additions are issued
  // In a one-tile launch (and a block of two tiles: first_of_two_early; with kSecondFromNextEarly its second tile's
  // from smem.next too) each thread reads its B fragments and y pieces from the slots into registers while thread 0's
  // arrival is out and the barrier pending, not after it, where the expand is on the launch's path (entry 176:
  // without its MMAs and those reads a one-tile launch took 0.45-0.85 us less; entries 177-181: r64 16-row one-tile
  // launches 0.93-0.97x, the 32-row tiles 0.98-0.99x, ranks 8-16 even or better, r64 two-tile blocks 0.98x, r8-r16
  // two-tile blocks 0.96-0.98x: entry 184).
  Staged early;
  if (threadIdx.x == 0) {
    if constexpr (kTileBarrier)
      handoff.arrive_tile(tile, Workspace::arrival_add(gridDim.y, blockIdx.y == 0), add);
    else
      handoff.arrive(add);
  }
  if (has_tile && (one_tile_launch(N) || first_of_two_early(N)) && has_column_tile(N)) {
    cute::cp_async_wait<0>();  // this thread's own slots
    read_staged(smem.slots, early);
    if constexpr (kSecondFromNextEarly)
      if (first_of_two_early(N)) read_staged(smem.next, second);
  }
  if constexpr (kTileBarrier) {
    if (threadIdx.x == 0 && tile >= 0) handoff.wait_tile(tile, tile_found);
  } else {
    if (threadIdx.x == 0) handoff.wait(found);
  }
  __syncthreads();  // every block's additions are visible (kTileBarrier: those of the block's row tile)
#if defined(SGMV_PROBE_NO_EXPAND)  // a probe only (wrong results): no expand after v's load (NOTES entry 176)
  if (has_tile) v_load.load_into(store_v);
  if (true) return;
#endif
  if (has_tile) {
    v_load.load_into(store_v);
    __syncthreads();  // v is complete
    // One column tile a block: expand_staged, not expand_columns' loop (whose code made the 256-column rank-64
    // kernel's one-tile launches 2-4% slower, entry 44).
    if (one_tile_launch(N)) {
      expand_staged(smem, y_rows, N, seg.scale, true_rank, early);
    } else if (first_of_two_early(N)) {
      expand_staged(smem, y_rows, N, seg.scale, true_rank, early);
      if constexpr (kSecondInRegisters || kSecondFromNextEarly)
        expand_staged(smem, y_rows, N, seg.scale, true_rank, second, 1);
      else
        expand_slots(smem, slots_of(smem, 1), y_rows, N, seg.scale, true_rank, 1);
    } else {
      expand_columns<true>(smem, wb, b.w_stride_row, y_rows, N, seg.scale, true_rank, &second);
    }
  }
  // Below kZeroEarly's ranks the other buffer is zeroed here, after the expand: zeroing it early took the rank-16
  // kernels from 157 to 168 registers and cost their launches 2% (median; entry 76).
  if constexpr (!kZeroEarly) handoff.template zero<kThreads>(handoff.buffer(found, true), block, blocks);
}

}  // namespace sgmv
