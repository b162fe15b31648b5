// SGMV add_lora for long segments (prefill) in one launch:
//   y[rows of s] += scale_s * (x[rows of s] @ A[l_s]^T) @ B[l_s]^T.
//
// Row tiles of kRows rows are numbered over the whole batch (a segment's tiles, segment after segment;
// segments without an adapter or rows have none), and block b takes tiles b, b + gridDim.x, ... (the grid is
// at most what the SMs hold at once). For each tile the block streams, through kStages shared-memory stages,
// first x and A in kChunkCols-wide chunks of h_in (the shrink), then y and B in kChunkCols-column chunks of
// h_out (the expand). One producer warp issues every copy as a bulk copy (cp.async.bulk, one per row piece)
// that completes on the stage's transaction barrier; kWarps consumer warps multiply from shared memory
// (ldmatrix + mma) and release the stage. Consumer warp w owns rows 16w..16w+15 of the tile: it keeps their v
// (every rank, float32) in registers from the shrink to the expand, so there is no reduction across warps or
// blocks and no v in global memory. The expand adds scale * v @ B^T into the staged y chunk in place and
// stores it from shared memory in 16-byte vectors.
// Why: every prefill kernel of the launch pair ran one wave of few warps at 42-60% of DRAM bandwidth, with
// each thread copying its own 16-byte pieces (benchmarks/NOTES.md, entries 29 and 31).
// Needs sm_90 (bulk copies), 16-byte aligned rows, h_in a multiple of 16, a rank that is a multiple of 16,
// one output slice and no per-adapter ranks (dispatch.prefers_prefill). Slices: p.slices[0] is the shrink's
// (lora_a, h_in), p.slices[1] the expand's (lora_b, h_out, y_col), as for the fused kernel.
#pragma once
#include <cute/arch/copy_sm75.hpp>
#include <cutlass/arch/barrier.h>

#include "fragments.cuh"
#include "overlap.cuh"
#include "segments.cuh"

namespace sgmv {

constexpr int kStreamChunk = 128;  // columns of h_in (shrink) or h_out (expand) per stage

// A batch's row tiles, walked in increasing order by one warp: finds the segment of a tile number with a
// warp-wide scan of the segments' tile counts, 32 segments at a time, from where the last search stopped.
template <int kRows>
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
        tiles = mine.active ? (mine.end - mine.begin + kRows - 1) / kRows : 0;
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

template <class T, int kRank, int kWarps, int kStages>
struct PrefillTile {
  static constexpr int kRows = 16 * kWarps;  // consumer warps x 16 rows
  static constexpr int kThreads = 32 * (kWarps + 1);  // the consumers, then the producer warp
  static constexpr int kRowPitch = 2 * kStreamChunk + 16;  // bytes per staged row of x or y (16 against conflicts)
  static constexpr int kWeightPitch = 2 * kRank + 16;      // bytes per staged row of B (h_out row, every rank)
  static constexpr int kWeightBytes =
      kRank * kRowPitch > kStreamChunk * kWeightPitch ? kRank * kRowPitch : kStreamChunk * kWeightPitch;
  static constexpr int kStageBytes = kRows * kRowPitch + kWeightBytes;  // rows of x or y, then A or B
  static constexpr int kNTiles = kRank / 8;
  static_assert(kRank % 16 == 0 && kRank > 0, "the expand multiplies v in 16-wide steps of the rank");
  static_assert(kWarps * 16 <= 64, "the producer copies at most two rows per lane");
  static_assert(kStreamChunk == 128, "the copy-out maps 16 lanes to one chunk row of 16-byte vectors");

  struct SharedStorage {
    alignas(16) unsigned char stage[kStages][kStageBytes];
    uint64_t full[kStages];   // the stage's copies have landed (transaction barrier)
    uint64_t empty[kStages];  // every consumer warp is done with the stage
  };

  using Barrier = cutlass::arch::ClusterTransactionBarrier;

  // Stage `it % kStages` in the stream of chunks, and the parity of its use number it / kStages.
  __device__ static int stage_of(int it) { return it % kStages; }
  __device__ static uint32_t parity_of(int it) { return (it / kStages) & 1; }

  __device__ static void bulk_copy(void* smem_dst, const void* gmem_src, int bytes, uint64_t* landed) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
                 :: "r"(cute::cast_smem_ptr_to_uint(smem_dst)), "l"(gmem_src), "r"(bytes),
                    "r"(cute::cast_smem_ptr_to_uint(landed))
                 : "memory");
#endif
  }

  // The producer warp: for every tile of the block, the shrink's chunks (kRows rows of x and kRank rows of A)
  // then the expand's (kRows rows of y and kStreamChunk rows of B), each into the next free stage.
  __device__ static void produce(const SgmvParams& p, SharedStorage& smem) {
    const int lane = threadIdx.x % 32;
    const SgmvSlice& a = p.slices[0];
    const SgmvSlice& b = p.slices[1];
    const int K = a.hidden;
    const int N = b.hidden;
    const uint16_t* x = static_cast<const uint16_t*>(p.x);
    const uint16_t* y = static_cast<const uint16_t*>(p.y) + b.y_col;
    TileWalk<kRows> walk;
    int it = 0;
    for (int tile = blockIdx.x; walk.seek(p, tile); tile += gridDim.x) {
      const int row0 = walk.row0(tile);
      const int rows = walk.rows(tile);
      int64_t prow[2];  // this lane's rows lane and lane + 32 of the tile
#pragma unroll
      for (int j = 0; j < 2; ++j) prow[j] = lane + 32 * j < rows ? physical_row(p, row0 + lane + 32 * j) : 0;
      const uint16_t* wa = static_cast<const uint16_t*>(a.w) + walk.seg.lora * a.w_stride_lora;
      const uint16_t* wb = static_cast<const uint16_t*>(b.w) + walk.seg.lora * b.w_stride_lora;

      auto next_stage = [&](int bytes) -> unsigned char* {
        const int s = stage_of(it);
        Barrier::wait(&smem.empty[s], parity_of(it) ^ 1);  // the first use of a stage passes at once
        if (lane == 0) Barrier::arrive_and_expect_tx(&smem.full[s], bytes);
        __syncwarp();
        return smem.stage[s];
      };
      for (int k0 = 0; k0 < K; k0 += kStreamChunk, ++it) {
        const int piece = 2 * min(kStreamChunk, K - k0);
        unsigned char* st = next_stage((rows + kRank) * piece);
        uint64_t* landed = &smem.full[stage_of(it)];
#pragma unroll
        for (int j = 0; j < 2; ++j)
          if (lane + 32 * j < rows) bulk_copy(st + (lane + 32 * j) * kRowPitch, x + prow[j] * p.ld_x + k0, piece, landed);
        for (int n = lane; n < kRank; n += 32)
          bulk_copy(st + kRows * kRowPitch + n * kRowPitch, wa + n * a.w_stride_row + k0, piece, landed);
      }
      for (int n0 = 0; n0 < N; n0 += kStreamChunk, ++it) {
        const int cols = min(kStreamChunk, N - n0);
        unsigned char* st = next_stage(rows * 2 * cols + cols * 2 * kRank);
        uint64_t* landed = &smem.full[stage_of(it)];
#pragma unroll
        for (int j = 0; j < 2; ++j)
          if (lane + 32 * j < rows) bulk_copy(st + (lane + 32 * j) * kRowPitch, y + prow[j] * p.ld_y + n0, 2 * cols, landed);
        for (int n = lane; n < cols; n += 32)
          bulk_copy(st + kRows * kRowPitch + n * kWeightPitch, wb + (n0 + n) * b.w_stride_row, 2 * kRank, landed);
      }
    }
  }

  // A consumer warp: its 16 rows of every tile of the block, the shrink into registers, then the expand.
  __device__ static void consume(const SgmvParams& p, SharedStorage& smem) {
    using Traits = ElementTraits<T>;
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int g = lane / 4;
    const int t = lane % 4;
    const int K = p.slices[0].hidden;
    const int N = p.slices[1].hidden;
    uint16_t* y = static_cast<uint16_t*>(p.y) + p.slices[1].y_col;
    TileWalk<kRows> walk;
    int it = 0;
    for (int tile = blockIdx.x; walk.seek(p, tile); tile += gridDim.x) {
      const int first_row = walk.row0(tile) + 16 * warp;  // this warp's first segment row
      const int rows = min(16, walk.seg.end - first_row);  // may be <= 0: the warp still takes part
      // The copy-out: lane stores 16-byte vector lane % 16 of the warp's rows lane / 16 + 2j.
      uint16_t* out_rows[8];
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const int r = lane / 16 + 2 * j;
        out_rows[j] = r < rows ? y + physical_row(p, first_row + r) * p.ld_y : nullptr;
      }

      float acc[kNTiles][4];
      zero_fill(acc);
      for (int k0 = 0; k0 < K; k0 += kStreamChunk, ++it) {
        const int s = stage_of(it);
        Barrier::wait(&smem.full[s], parity_of(it));
        const unsigned char* xs = smem.stage[s] + (16 * warp) * kRowPitch;
        const unsigned char* ws = smem.stage[s] + kRows * kRowPitch;
        const int steps = min(kStreamChunk, K - k0) / 16;
#pragma unroll
        for (int ks = 0; ks < kStreamChunk / 16; ++ks) {
          if (ks >= steps) break;
          uint32_t a[4];
          cute::SM75_U32x4_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(
                                            xs + (lane % 16) * kRowPitch + 2 * (16 * ks + 8 * (lane / 16))),
                                        a[0], a[1], a[2], a[3]);
#pragma unroll
          for (int np = 0; np < kRank / 16; ++np) {
            uint32_t w[4];
            const int n = 16 * np + lane % 8 + 8 * (lane / 16);
            cute::SM75_U32x4_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(
                                              ws + n * kRowPitch + 2 * (16 * ks + 8 * ((lane / 8) % 2))),
                                          w[0], w[1], w[2], w[3]);
            mma_16x8x16<T>(acc[2 * np], a, w[0], w[1]);
            mma_16x8x16<T>(acc[2 * np + 1], a, w[2], w[3]);
          }
        }
        __syncwarp();
        if (lane == 0) Barrier::arrive(&smem.empty[s]);
      }

      // v as the expand's A operand: the accumulator of n-tiles 2ks and 2ks + 1 is the A fragment of rank step
      // ks; v = hi + lo in two 16-bit parts (as the launch pair's expand, which reads v in float32).
      uint32_t v_hi[kRank / 16][4], v_lo[kRank / 16][4];
#pragma unroll
      for (int ks = 0; ks < kRank / 16; ++ks)
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          const float* f = &acc[2 * ks + i / 2][2 * (i % 2)];
          v_hi[ks][i] = Traits::pack(f[0], f[1]);
          const float2 hi = Traits::unpack(v_hi[ks][i]);
          v_lo[ks][i] = Traits::pack(f[0] - hi.x, f[1] - hi.y);
        }

      for (int n0 = 0; n0 < N; n0 += kStreamChunk, ++it) {
        const int s = stage_of(it);
        Barrier::wait(&smem.full[s], parity_of(it));
        unsigned char* ys = smem.stage[s] + (16 * warp) * kRowPitch;
        const unsigned char* ws = smem.stage[s] + kRows * kRowPitch;
        const int cols = min(kStreamChunk, N - n0);
        float out[kStreamChunk / 8][4];
        zero_fill(out);
#pragma unroll
        for (int np = 0; np < kStreamChunk / 16; ++np) {
          if (16 * np >= cols) break;
#pragma unroll
          for (int ks = 0; ks < kRank / 16; ++ks) {
            uint32_t w[4];
            const int n = 16 * np + lane % 8 + 8 * (lane / 16);
            cute::SM75_U32x4_LDSM_N::copy(*reinterpret_cast<const cute::uint128_t*>(
                                              ws + n * kWeightPitch + 2 * (16 * ks + 8 * ((lane / 8) % 2))),
                                          w[0], w[1], w[2], w[3]);
            mma_16x8x16<T>(out[2 * np], v_hi[ks], w[0], w[1]);
            mma_16x8x16<T>(out[2 * np], v_lo[ks], w[0], w[1]);
            mma_16x8x16<T>(out[2 * np + 1], v_hi[ks], w[2], w[3]);
            mma_16x8x16<T>(out[2 * np + 1], v_lo[ks], w[2], w[3]);
          }
        }
        // y += scale * out in the staged chunk (lane: rows g and g + 8, columns 8 nt + 2t and + 1), then out.
        const float scale = walk.seg.scale;
#pragma unroll
        for (int nt = 0; nt < kStreamChunk / 8; ++nt) {
          if (8 * nt >= cols) break;
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            uint32_t* cell = reinterpret_cast<uint32_t*>(ys + (g + 8 * h) * kRowPitch + 2 * (8 * nt + 2 * t));
            const float2 cur = Traits::unpack(*cell);
            *cell = Traits::pack(cur.x + scale * out[nt][2 * h], cur.y + scale * out[nt][2 * h + 1]);
          }
        }
        __syncwarp();
        const int vec = lane % 16;
        if (8 * vec < cols) {
#pragma unroll
          for (int j = 0; j < 8; ++j) {
            if (out_rows[j] == nullptr) continue;
            const uint4 q = *reinterpret_cast<const uint4*>(ys + (lane / 16 + 2 * j) * kRowPitch + 16 * vec);
            *reinterpret_cast<uint4*>(out_rows[j] + n0 + 8 * vec) = q;
          }
        }
        // The next copies into this stage are writes of the async proxy after this warp's generic writes.
        cutlass::arch::fence_view_async_shared();
        __syncwarp();
        if (lane == 0) Barrier::arrive(&smem.empty[s]);
      }
    }
  }

  __device__ static void run(const SgmvParams& p, SharedStorage& smem) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    if (threadIdx.x == 0) {
      for (int s = 0; s < kStages; ++s) {
        Barrier::init(&smem.full[s], 1);
        Barrier::init(&smem.empty[s], kWarps);
      }
    }
    cutlass::arch::fence_barrier_init();
    __syncthreads();
    // Launched to overlap the previous kernel on the stream: nothing it may write (x, y, the tables) is read
    // before it is done.
    wait_for_prerequisites();
    if (threadIdx.x / 32 == kWarps) {
      produce(p, smem);
      launch_dependents();  // every copy is issued: the next kernel may take what this block frees
    } else {
      consume(p, smem);
    }
#endif
  }
};

}  // namespace sgmv
