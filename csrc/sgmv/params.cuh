// The one argument every SGMV kernel takes, passed by value through cuLaunchKernel.
// Its Python twin is python/sgmv/_abi.py (ctypes); every generated kernel static_asserts the
// size and offsets recorded there, and the loader checks them against the manifest.
#pragma once
#include <cstdint>

namespace sgmv {

// One output slice of a launch (e.g. q, k or v of an attention projection): its own stacked weights and
// its place in v and y. A launch serves 1..kMaxSlices slices that share x (shrink) or v (expand; the launch pair takes
// up to 4 a launch, cuda_ops.PAIR_SLICES); the fused kernel (fused.cuh) takes one pair: slices[0] is the shrink's
// (lora_a), slices[1] the expand's (lora_b), and its variant for packed calls up to kMaxSlices / 2 pairs.
struct SgmvSlice {
  const void* w;             // stacked weights: shrink lora_a [n_lora, r, h_in]; expand lora_b [n_lora, h_out, r]
  int64_t w_stride_lora;     // elements between adapters in w
  int64_t w_stride_row;      // elements between rows of one adapter's weight (its last dim is contiguous)
  int32_t rank;              // r of this slice (its adapters' true ranks may be lower: SgmvParams::ranks)
  int32_t hidden;            // shrink: h_in; expand: this slice's h_out
  int32_t v_col;             // first column of this slice in v
  int32_t y_col;             // expand: first column of this slice in y
  int32_t tile_begin;        // expand: first column tile (grid y) of this slice
  int32_t reserved;          // keeps the struct a multiple of 8 bytes
};

constexpr int kMaxSlices = 8;

struct SgmvParams {
  const void* x;             // shrink: activations [T, h_in] (row stride ld_x); expand: v float32 [T, ld_x]
  void* y;                   // shrink: v float32 [T, ld_y] (atomically accumulated, or per-split partials);
                             // expand: outputs [T, ld_y]
  const void* seg_indptr;    // [num_segments + 1], int32 or int64 (indptr_is_64); bounds in segment-row space
  const void* lora_indices;  // [num_segments], int32 or int64 (lora_is_64); outside [0, num_loras) = no LoRA
  const float* scales;       // [num_loras] per-adapter scale, or null
  const int32_t* row_index;  // [num_rows]: segment row i is row row_index[i] of x, v and y; null: row i
  const void* ranks;         // [num_loras] true rank per adapter (int32 or int64: ranks_is_64), or null
  void* handoff;             // fused without clusters: the grid handoff's workspace (handoff.cuh); otherwise null
  int64_t ld_x;              // elements between rows of x
  int64_t ld_y;              // elements between rows of y
  int64_t split_stride;      // elements between the slices of v when partials is set; fused with handoff: floats
                             // per buffer of v in the workspace
  float scale;               // multiplies everything (times scales[l] when scales is set)
  int32_t num_rows;          // T
  int32_t num_segments;
  int32_t num_loras;
  int32_t rank;              // the largest slice rank (generic kernels tile the rank by it)
  int32_t indptr_is_64;
  int32_t lora_is_64;
  int32_t ranks_is_64;
  int32_t num_slices;        // 1..kMaxSlices entries of `slices` in use
  int32_t k_splits;          // shrink: blocks splitting the h_in reduction; expand: partial slices of v to sum
  int32_t partials;          // 1: v is k_splits float32 slices split_stride apart (shrink stores, expand sums)
  int32_t cluster_splits;    // shrink with partials: splits per thread-block cluster (along grid y), which
                             // reduce through distributed shared memory into one slice: k_splits / this slices
  int32_t flat_tiles;        // shrink, expand, fused (grid handoff): grid z numbers the batch's row tiles (locate_tile)
                             // and grid x holds no segment; 0: grid x = segment, z = row-tile group
  int32_t col_tiles_per_block;  // pipelined expand: consecutive column tiles (grid y) each block streams
                                // through its shared-memory stages; other kernels: 1
  int32_t tables_ready;      // 1: no kernel on the stream writes seg_indptr, lora_indices or row_index (they were
                             // copied from host data), and scales and ranks are null: the first kernel of add_lora
                             // reads the tables before waiting for the previous kernel (overlap.cuh)
  SgmvSlice slices[kMaxSlices];
};

}  // namespace sgmv
