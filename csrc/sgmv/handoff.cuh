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
// After the buffers, a counter per row tile for the kernels whose blocks wait for their own row tile's blocks only
// (fused.cuh's kTileBarrier; tile_counter, arrive_tile).
//
// The barrier needs every block of the launch on the GPU at once: dispatch never launches more blocks than the
// SMs hold together (at most three an SM, and no more than the driver's occupancy for the kernel), and a block
// waits there only after launch_dependents, which the next kernel's blocks need from every block of this grid
// before any of them starts, so they never take the place of one of this grid's. Where a process may use fewer
// SMs than the device has (an MPS share, a green context), or launches add_lora on streams of different priorities
// at once (a later grid of higher priority may take the places an earlier one still needs), SGMV_GRID_HANDOFF=0
// turns the handoff off (README). The additions into v land in whatever order the blocks arrive, so a result can
// differ from call to call in the last bits of v's float32 sums (as the standalone shrink's atomic splits do).
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "params.cuh"

namespace sgmv {

constexpr int kHandoffHeaderFloats = 16;  // the arrival counter, alone in the workspace's first 64 bytes
constexpr uint32_t kHandoffFlip = 0x80000000u;
// The kernels with a barrier per row tile (fused.cuh's kTileBarrier): a counter per row tile after the two buffers,
// each in a 128-byte line of its own, for up to kHandoffMaxTiles row tiles a launch (dispatch: HANDOFF_MAX_TILES).
constexpr int kHandoffMaxTiles = 256;
constexpr int kHandoffTilePitch = 32;  // uint32 a row tile's counter takes

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
  __device__ uint32_t read_counter() const { return load_relaxed(counter); }

  // Row tile `tile`'s counter (kTileBarrier kernels), after the two buffers. Like the launch counter it flips its
  // top bit once in each launch that waits on it, so it needs no zeroing either, and the top bit that a block of the
  // tile reads after the wait for the previous kernel is the one from before this launch: the tile's other blocks
  // may have arrived already, but the bit flips only with the last of them.
  __device__ uint32_t* tile_counter(int tile) const {
    return reinterpret_cast<uint32_t*>(buffers + 2 * buffer_floats) + tile * kHandoffTilePitch;
  }
  __device__ uint32_t read_tile_counter(int tile) const { return load_relaxed(tile_counter(tile)); }

  __device__ static uint32_t load_relaxed(const uint32_t* address) {
    uint32_t value;
    asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(value) : "l"(address) : "memory");
    return value;
  }

  __device__ float* buffer(uint32_t counter_value, bool other = false) const {
    return buffers + ((counter_value >> 31) ^ static_cast<uint32_t>(other)) * buffer_floats;
  }

  // Adds rows [0, rows) and ranks [0, rank) of the block's tile into `v`: the sum of the warps' partial tiles
  // ([kWarps][kTileRows][kRank] floats, rows of v from segment row row0). With a `swizzle` (ShrinkTile::
  // partial_swizzle, store_warps<true>) each row's 16-byte pieces are permuted: logical piece j of row r at piece
  // j ^ swizzle(r). Each thread sums a 4-float piece over the warps and adds it with one reduction, in whole passes
  // of the block's threads (no loop left in the SASS), so the block's reductions go out together right after the
  // partials are stored (no second barrier, no summed tile).
  template <int kThreads, int kTileRows, int kWarps, class Swizzle = std::nullptr_t>
  __device__ static void add_warp_sums(float* v, const float* partials, int row0, int rows, int rank,
                                       Swizzle swizzle = nullptr) {
    constexpr int kPieces = kTileRows * kRank / 4;
#pragma unroll
    for (int it = 0; it < (kPieces + kThreads - 1) / kThreads; ++it) {
      const int i = static_cast<int>(threadIdx.x) + it * kThreads;
      const int e = 4 * i;
      const int row = e / kRank;
      if (i >= kPieces || row >= rows || e % kRank >= rank) continue;
      int at = e;  // the piece's first float in each warp's tile
      if constexpr (!std::is_same_v<Swizzle, std::nullptr_t>) at = row * kRank + 4 * ((e % kRank / 4) ^ swizzle(row));
      float4 f = *reinterpret_cast<const float4*>(partials + at);
#pragma unroll
      for (int w = 1; w < kWarps; ++w) {
        const float4 g = *reinterpret_cast<const float4*>(partials + w * kTileRows * kRank + at);
        f.x += g.x; f.y += g.y; f.z += g.z; f.w += g.w;
      }
      asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %2, %3, %4};"
                   :: "l"(v + static_cast<int64_t>(row0) * kRank + e), "f"(f.x), "f"(f.y), "f"(f.z), "f"(f.w)
                   : "memory");
    }
  }

  // What a block adds at its arrival: block 0 kHandoffFlip - (blocks - 1), the others 1, so that the sum flips the
  // top bit of the counter exactly when the last of the launch's `blocks` arrives and leaves the other bits as
  // they were. Computed before the block's barrier, off the path from the additions to the arrival.
  __device__ static uint32_t arrival_add(uint32_t blocks, bool first_block) {
    return first_block ? kHandoffFlip - (blocks - 1) : 1u;
  }

  // Thread 0 of each block, after the block's additions (and a barrier): arrives (adds `add`), then (the block may
  // read its slots between the two) waits until every block has (the counter's top bit differs from `found`'s, the
  // counter as the launch found it). The arrival is a release reduction (MEMBAR.ALL.GPU and RED: neither the
  // sequentially consistent fence of __threadfence nor an atomic's round trip). Its MEMBAR also waits for every
  // async copy of the block still in flight, the expand's prefetch (benchmarks/NOTES.md, entries 74-75: by the
  // arrival those have mostly landed, and issuing them later was slower). Between its reads the thread pauses: with
  // every block reading the counter's one line, a launch of the barrier alone took 0.07-0.17 us less with 8-32 ns
  // pauses, more with 64 ns and up; more readers a block, copies of the counter, or a block that relays the flip to
  // others were slower (entry 96).
  __device__ void arrive(uint32_t add) const {
    asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
  }
  __device__ void wait(uint32_t found) const { wait_for_flip(counter, found); }

  // The barrier per row tile (kTileBarrier): thread 0 of a block with a row tile arrives at its tile's counter
  // (`add`: arrival_add over the tile's blocks, the launch's blocks along grid y) with the release, and adds to the
  // launch counter without one and without waiting there (`launch_add`), so that the launch counter still flips
  // once a launch and names the next launch's buffer; a block without a tile (none of its tile's blocks has one)
  // only adds to the launch counter. Then a block with a tile waits for its tile's flip alone (wait_tile): it reads
  // only its tile's rows of v, which only that tile's blocks add into.
  __device__ void arrive_tile(int tile, uint32_t add, uint32_t launch_add) const {
    if (tile >= 0)
      asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(tile_counter(tile)), "r"(add) : "memory");
    asm volatile("red.relaxed.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(launch_add) : "memory");
  }
  __device__ void wait_tile(int tile, uint32_t found) const { wait_for_flip(tile_counter(tile), found); }

  // Reads `address` (a counter) until its top bit differs from `found`'s.
  __device__ static void wait_for_flip(const uint32_t* address, uint32_t found) {
#if defined(SGMV_PROBE_NO_BARRIER_WAIT)  // a probe only (wrong results): arrive, do not wait (NOTES entry 176)
    if (true) return;
#endif
    uint32_t now;
    for (;;) {
      asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(now) : "l"(address) : "memory");
      if ((now ^ found) & kHandoffFlip) break;
      __nanosleep(32);  // the pause between reads (above)
    }
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

  // v's rows [row0, row0 + kTileRows), kCols columns: zero past `rows` rows, the adapter's `rank` and kRank, each
  // 4-float piece handed to a store (the fused kernel's: ExpandTile::store_split). In two steps: each thread's
  // addresses and masks before the barrier (the constructor), its loads after it (load_into), so that the loads
  // follow the barrier's last poll at once. Coherent loads: other blocks wrote v during this launch.
  template <int kThreads, int kTileRows, int kCols>
  struct TileLoad {
    static constexpr int kPieces = kTileRows * kCols / 4;
    static constexpr int kIters = (kPieces + kThreads - 1) / kThreads;
    const float4* src[kIters];  // nullptr: a zero piece
    int valid[kIters];          // its floats within the rank, 0-4

    __device__ TileLoad(const float* v, int row0, int rows, int rank) {
#pragma unroll
      for (int it = 0; it < kIters; ++it) {
        const int i = piece(it);
        const int row = i / (kCols / 4);
        const int col = 4 * (i % (kCols / 4));
        src[it] = i < kPieces && row < rows && col < rank
                      ? reinterpret_cast<const float4*>(v + static_cast<int64_t>(row0 + row) * kRank + col)
                      : nullptr;
        valid[it] = min(4, max(0, rank - col));
      }
    }

    __device__ static int piece(int it) { return static_cast<int>(threadIdx.x) + it * kThreads; }

    // store(row, col, piece) for each of this thread's pieces of the tile: its row, its first column, its floats.
    template <class Store>
    __device__ void load_into(Store store) const {
      float4 f[kIters];
#pragma unroll
      for (int it = 0; it < kIters; ++it) f[it] = src[it] ? __ldcg(src[it]) : make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
      for (int it = 0; it < kIters; ++it) {
        const int i = piece(it);
        if (i >= kPieces) continue;
        const int n = valid[it];
        store(i / (kCols / 4), 4 * (i % (kCols / 4)),
              make_float4(n > 0 ? f[it].x : 0.f, n > 1 ? f[it].y : 0.f, n > 2 ? f[it].z : 0.f, n > 3 ? f[it].w : 0.f));
      }
    }
  };
};

}  // namespace sgmv
