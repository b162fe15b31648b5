// The fused kernel's grid handoff (fused.cuh, launched without clusters, SgmvParams::handoff set): every block
// along grid y reduces a share of h_in, adds its partial tile of v into a float32 buffer in global memory, and
// the launch's blocks meet at one grid-wide barrier before each expands its column tiles from the summed v.
// A block's share of the weights is then a 1/gridDim.y part, not the 1/8 of a cluster (rank 64 at h_in 4096, one
// row: 16 KB, not 64 KB), at the price of round trips through L2 in place of distributed shared memory.
//
// Workspace (SgmvParams::handoff, zeroed once by its owner, cuda_ops._handoff_workspace; one per stream, or
// per captured graph): an arrival counter alone in its first kHandoffHeaderFloats floats, then two buffers of
// p.split_stride floats, each v as [num_rows][kRank] in segment-row order. The counter's top bit flips once a
// launch's blocks have all arrived, so it names the buffer a launch adds into: launch n uses buffer (n % 2) and
// zeroes buffer ((n + 1) % 2), which the launch before it used and which the next one will add into. Both
// happen after the wait for the previous kernel (overlap.cuh), which a launch on the same stream (or in the
// same graph) therefore follows in full; so the workspace needs no reset between calls and no host work.
//
// The barrier needs every block of the launch on the GPU at once: dispatch never launches more blocks than the
// SMs hold together (at most two an SM, and no more than the driver's occupancy for the kernel), and a block
// waits there only after launch_dependents, which the next kernel's blocks need from every block of this grid
// before any of them starts, so they never take the place of one of this grid's. Where a process may use fewer
// SMs than the device has (an MPS share, a green context), or launches add_lora on streams of different priorities
// at once (a later grid of higher priority may take the places an earlier one still needs), SGMV_GRID_HANDOFF=0
// turns the handoff off (README). The additions into v land in whatever order the blocks arrive, so a result can
// differ from call to call in the last bits of v's float32 sums (as the standalone shrink's atomic splits do).
#pragma once
#include <cstdint>

#include "params.cuh"

namespace sgmv {

constexpr int kHandoffHeaderFloats = 16;  // the arrival counter, alone in the workspace's first 64 bytes
constexpr uint32_t kHandoffFlip = 0x80000000u;

template <int kRank>
struct Handoff {
  static_assert(kRank % 4 == 0, "v's rows are added and read in 4-float pieces");
  uint32_t* counter;
  float* buffers;
  int64_t buffer_floats;

  __device__ explicit Handoff(const SgmvParams& p)
      : counter(static_cast<uint32_t*>(p.handoff)),
        buffers(static_cast<float*>(p.handoff) + kHandoffHeaderFloats),
        buffer_floats(p.split_stride) {}

  // The counter as this launch found it (read after the wait for the previous kernel; every block reads the
  // same value: it flips only once all of them have arrived).
  __device__ uint32_t read_counter() const {
    uint32_t value;
    asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(value) : "l"(counter) : "memory");
    return value;
  }

  __device__ float* buffer(uint32_t counter_value, bool other = false) const {
    return buffers + ((counter_value >> 31) ^ static_cast<uint32_t>(other)) * buffer_floats;
  }

  // Adds rows [0, rows) and ranks [0, rank) of `tile` ([16][kRank] floats, rows of v from segment row row0) into
  // `v`; each thread of the block a share of 4-float pieces.
  template <int kThreads, int kTileRows>
  __device__ static void add_tile(float* v, const float* tile, int row0, int rows, int rank) {
    constexpr int kPieces = kTileRows * kRank / 4;
    for (int i = threadIdx.x; i < kPieces; i += kThreads) {
      const int e = 4 * i;
      if (e / kRank >= rows || e % kRank >= rank) continue;
      const float4 f = *reinterpret_cast<const float4*>(tile + e);
      asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %2, %3, %4};"
                   :: "l"(v + static_cast<int64_t>(row0) * kRank + e), "f"(f.x), "f"(f.y), "f"(f.z), "f"(f.w)
                   : "memory");
    }
  }

  // Thread 0 of each block, after the block's additions (and a barrier): arrives, then waits until every one of
  // the launch's `blocks` blocks has. Block 0 adds kHandoffFlip - (blocks - 1), the others 1: the sum flips the
  // top bit of the counter (`found` at the start) exactly when the last one arrives, and leaves the other bits
  // as they were. The arrival is a release reduction (MEMBAR.ALL.GPU and RED: neither the sequentially
  // consistent fence of __threadfence nor an atomic's round trip). Its MEMBAR also waits for every async copy of
  // the block still in flight, the expand's prefetch (benchmarks/NOTES.md, entries 74-75: by the arrival those have
  // mostly landed, and issuing them later was slower).
  __device__ void arrive_and_wait(uint32_t blocks, bool first_block, uint32_t found) const {
    const uint32_t add = first_block ? kHandoffFlip - (blocks - 1) : 1u;
    asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
    uint32_t now;
    do {
      asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(now) : "l"(counter) : "memory");
    } while (((now ^ found) & kHandoffFlip) == 0);
  }

  // Zeroes this block's share of `v` (the whole buffer over the launch's blocks, whatever shape used it last).
  // 32-bit arithmetic: dispatch keeps a buffer far below 2^31 floats (64-bit division took ~500 cycles).
  template <int kThreads>
  __device__ void zero(float* v, int block, int blocks) const {
    const int pieces = static_cast<int>(buffer_floats / 4);
    const int per_block = (pieces + blocks - 1) / blocks;
    const int end = min(pieces, (block + 1) * per_block);
    for (int i = block * per_block + static_cast<int>(threadIdx.x); i < end; i += kThreads)
      reinterpret_cast<float4*>(v)[i] = make_float4(0.f, 0.f, 0.f, 0.f);
  }

  // v's rows [row0, row0 + kTileRows) into `out` ([kTileRows][pitch], `cols` of them): zero past `rows` rows, the
  // adapter's `rank` and kRank. Coherent loads: other blocks wrote v during this launch.
  template <int kThreads, int kTileRows>
  __device__ static void load_tile(const float* v, int row0, int rows, int rank, float* out, int pitch, int cols) {
    const int pieces_per_row = cols / 4;
    for (int i = threadIdx.x; i < kTileRows * pieces_per_row; i += kThreads) {
      const int row = i / pieces_per_row;
      const int col = 4 * (i % pieces_per_row);
      float4 f = make_float4(0.f, 0.f, 0.f, 0.f);
      if (row < rows && col < rank)
        f = __ldcg(reinterpret_cast<const float4*>(v + static_cast<int64_t>(row0 + row) * kRank + col));
      const float parts[4] = {f.x, f.y, f.z, f.w};
#pragma unroll
      for (int j = 0; j < 4; ++j) out[row * pitch + col + j] = col + j < rank ? parts[j] : 0.f;
    }
  }
};

}  // namespace sgmv
