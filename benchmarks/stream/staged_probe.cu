// pipeline_probe.cu's best decomposition (benchmarks/NOTES.md, entry 124: 128 blocks in G row groups, a block one
// 1 / S share of h_in's and h_out's columns for every row of its group, S = 128 / G) with its operands where a kernel
// could keep them: in shared memory, every one asked for at the start with bulk copies (cp.async.bulk), not held in
// registers. A kernel needs registers for its MMAs; and a release's MEMBAR waits for the block's copies still in
// flight (entries 74-75), so the grid barrier's arrival may wait for y and B. No math; loads feed a checksum.
// Forms, each one launch, timed as the bench times add_lora (graph_replay.cuh: 32 cold sets, median of 15):
//   copy    : x and A, y and B copied in, y written back: the bytes
//   barrier : x and A land, the block's partial v added into v, thread 0 arrives (release) at the grid barrier and
//             waits; v read, y and B (landed) read, y written
//   relaxed : barrier with a relaxed arrival (no MEMBAR: not a barrier's ordering, for scale only)
//   late    : barrier with y's and B's copies issued only after the arrival (so its MEMBAR has none to wait for)
//   async   : a kernel's likelier path (probe_async): x and A loaded by every thread into registers (as the fused
//             kernel's shrink), y and B copied by every thread with 16-byte cp.async into shared memory (as its
//             prefetch), both at the start; then barrier's steps. The arrival's MEMBAR waits for the copies still
//             in flight; async_relaxed: the same with a relaxed arrival (for scale only)
//   async_ll: async with v summed by flagged words in place of the grid barrier (NOTES.md, entry 377): each float of
//             v travels with a launch's flag in one 8-byte store, so a reader that sees the flag has the float, and
//             no fence, arrival or counter is on the path: the group's partial tiles written flagged, block k of the
//             group summing the k-th 1 / S of them (polling each word for its flag) and writing its sum flagged, every
//             block then polling the S sums. The flag is the launch's epoch + 1, the epoch a word of v's buffer that
//             the launch's last block to finish advances (Exchange below)
//
//   nvcc -O3 -arch=sm_90 -o staged_probe staged_probe.cu && ./staged_probe
#include <cstdint>
#include <cstdio>
#include <vector>

#include <cuda_runtime.h>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

constexpr int kBlocks = 128;
constexpr int kThreads = 256;
constexpr int kPiece = 16384;  // bytes a bulk copy of B's contiguous share

enum Form { kCopy, kBarrier, kRelaxed, kLate };

struct Set {
  const uint16_t *x, *a, *b;
  uint16_t* y;
  float* v;
};

// y's rows of the group's share (kGroupRows x kShare bytes at sy, from column col0) written back to y with the
// checksum's bit, by kBlockThreads threads.
template <int kGroupRows, int kShare, int kBlockThreads = kThreads>
__device__ void write_y(uint16_t* y, const unsigned char* sy, int h, int row0, int col0, uint32_t sum) {
  constexpr int kVecs = kShare / 16;  // 16-byte vectors of a row's share
  for (int i = threadIdx.x; i < kGroupRows * kVecs; i += kBlockThreads) {
    uint4 q = reinterpret_cast<const uint4*>(sy)[i];
    q.x ^= sum & 1;
    __stcg(reinterpret_cast<uint4*>(y + static_cast<int64_t>(row0 + i / kVecs) * h + col0) + i % kVecs, q);
  }
}

// kRank: r; kGroupRows: rows a group; kShare: bytes of a row a block takes (its columns of h_in and of h_out).
template <int kRank, int kGroupRows, int kShare>
__global__ void __launch_bounds__(kThreads, 1) probe(Set s, unsigned* counter, int h, Form form) {
  extern __shared__ __align__(128) unsigned char smem[];
  constexpr int kCols = kShare / 2;
  unsigned char* sx = smem;                                   // [kGroupRows][kShare]
  unsigned char* sa = sx + kGroupRows * kShare;               // [kRank][kShare]
  unsigned char* sb = sa + kRank * kShare;                    // [kCols][kRank * 2]: B's rows of the share
  unsigned char* sy = sb + kCols * kRank * 2;                 // [kGroupRows][kShare]
  uint64_t* bars = reinterpret_cast<uint64_t*>(sy + kGroupRows * kShare);  // x and A landed, y and B landed
  __shared__ uint32_t found_shared;
  const int S = 2 * h / kShare;  // blocks a group
  const int g = blockIdx.x / S, sp = blockIdx.x % S;
  const int row0 = g * kGroupRows, col0 = sp * kCols;
  constexpr int kBBytes = kCols * kRank * 2;
  if (threadIdx.x == 0) {
    for (int i = 0; i < 2; ++i) asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" :: "r"(smem_addr(&bars[i])));
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  __syncthreads();
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  auto copy_y_and_b = [&] {  // warp 0
    const int lane = threadIdx.x;
    if (lane == 0)
      asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" :: "r"(smem_addr(&bars[1])),
                   "r"(kGroupRows * kShare + kBBytes) : "memory");
    __syncwarp();
    for (int i = lane; i * kPiece < kBBytes; i += 32)
      bulk_copy(sb + i * kPiece, reinterpret_cast<const unsigned char*>(s.b + static_cast<int64_t>(col0) * kRank) +
                i * kPiece, min(kPiece, kBBytes - i * kPiece), &bars[1]);
    for (int i = lane; i < kGroupRows; i += 32)
      bulk_copy(sy + i * kShare, s.y + static_cast<int64_t>(row0 + i) * h + col0, kShare, &bars[1]);
  };
  if (threadIdx.x < 32) {
    const int lane = threadIdx.x;
    if (lane == 0) {
      asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(found_shared) : "l"(counter) : "memory");
      asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" :: "r"(smem_addr(&bars[0])),
                   "r"((kGroupRows + kRank) * kShare) : "memory");
    }
    __syncwarp();
    for (int i = lane; i < kGroupRows; i += 32)
      bulk_copy(sx + i * kShare, s.x + static_cast<int64_t>(row0 + i) * h + col0, kShare, &bars[0]);
    for (int i = lane; i < kRank; i += 32)
      bulk_copy(sa + i * kShare, s.a + static_cast<int64_t>(i) * h + col0, kShare, &bars[0]);
    if (form != kLate) copy_y_and_b();
  }
  wait_phase0(&bars[0]);
  uint32_t sum = fold_all<kThreads>(sx, (kGroupRows + kRank) * kShare);  // x and A
  if (form != kCopy)
    sum = sum_v_at_barrier<kThreads, kRank, kGroupRows>(s.v + static_cast<int64_t>(row0) * kRank, counter,
                                                        found_shared, kBlocks, sum, form == kRelaxed, [&] {
                                                          if (form == kLate && threadIdx.x < 32) copy_y_and_b();
                                                        });
  wait_phase0(&bars[1]);
  sum ^= fold_all<kThreads>(sb, kBBytes);
  write_y<kGroupRows, kShare>(s.y, sy, h, row0, col0, sum);
}

enum AsyncSum { kAtBarrier, kRelaxedBarrier, kFlagged };

// async_ll's exchange in v's buffer (after the rows x kRank floats the barrier forms add into): the partial tiles
// [groups][S][kTile] and the sums [groups][kTile] as 8-byte words {float, flag}, then the epoch and the count of
// blocks done.
template <int kTile>
struct Exchange {
  uint2 *partials, *sums;
  unsigned *epoch, *done;
  __device__ Exchange(float* v, int rows, int rank, int groups, int S) {
    partials = reinterpret_cast<uint2*>(v + static_cast<int64_t>(rows) * rank);
    sums = partials + static_cast<int64_t>(groups) * S * kTile;
    epoch = reinterpret_cast<unsigned*>(sums + static_cast<int64_t>(groups) * kTile);
    done = epoch + 1;
  }
  static size_t bytes(int rows, int rank, int S) { return size_t(rows) * rank * (S + 1) * 8 + 64; }
};

// The floats of this thread's kN words, word i at word(i), once each one's flag is `flag`: every word read in each
// round, all in flight at once (after ~2^20 rounds, or once any wait has given up, gives up and counts it, as
// wait_flip does).
template <int kN, class Word>
__device__ inline void poll_flagged(Word word, uint32_t flag, float (&out)[kN]) {
  for (int spins = 0;; ++spins) {
    uint64_t w[kN];  // a 64-bit scalar access: one copy, the float (low half) with its flag (high half)
#pragma unroll
    for (int i = 0; i < kN; ++i)
      asm volatile("ld.relaxed.gpu.global.b64 %0, [%1];" : "=l"(w[i]) : "l"(word(i)) : "memory");
    bool all = true;
#pragma unroll
    for (int i = 0; i < kN; ++i) all = all && static_cast<uint32_t>(w[i] >> 32) == flag;
    if (all) {
#pragma unroll
      for (int i = 0; i < kN; ++i) out[i] = __uint_as_float(static_cast<uint32_t>(w[i]));
      return;
    }
    if (spins > (1 << 20) || *static_cast<volatile unsigned*>(&g_timeouts) != 0) {
      atomicAdd(&g_timeouts, 1u);
      return;
    }
#if defined(POLL_PAUSE_NS)  // entry 377's second run: a pause between rounds, as the handoff's counter reads have
    __nanosleep(POLL_PAUSE_NS);
#endif
  }
}

__device__ inline void store_flagged(uint2* p, float f, uint32_t flag) {
  const uint64_t w = static_cast<uint64_t>(flag) << 32 | __float_as_uint(f);
  asm volatile("st.relaxed.gpu.global.b64 [%0], %1;" :: "l"(p), "l"(w) : "memory");
}

// async_ll's sum of the group's v (kTile floats), this block (k of the group's S) holding `sum`'s partial: the
// reduce-scatter and all-gather of flagged words described at the top; the checksum of v returned.
template <int kTile>
__device__ uint32_t sum_v_flagged(const Exchange<kTile>& ex, int g, int S, int k, uint32_t flag, uint32_t sum,
                                  float* scratch) {
  const float f = static_cast<float>(sum & 1);
  uint2* partials = ex.partials + static_cast<int64_t>(g) * S * kTile;
  uint2* sums = ex.sums + static_cast<int64_t>(g) * kTile;
  for (int q = threadIdx.x; q < kTile; q += kThreads) store_flagged(partials + k * kTile + q, f, flag);
  const int chunk = kTile / S;  // floats a block sums
  for (int j = threadIdx.x; j < chunk; j += kThreads) scratch[j] = 0.f;
  __syncthreads();
  constexpr int kN = kTile / kThreads;  // words a thread reads in each round (S x chunk = kTile)
  static_assert(kTile % kThreads == 0, "whole rounds");
  float got[kN] = {};
  poll_flagged<kN>([&](int i) {
    const int w = threadIdx.x + i * kThreads;
    return partials + (w / chunk) * kTile + k * chunk + w % chunk;
  }, flag, got);
#pragma unroll
  for (int i = 0; i < kN; ++i) atomicAdd(&scratch[(threadIdx.x + i * kThreads) % chunk], got[i]);
  __syncthreads();
  for (int j = threadIdx.x; j < chunk; j += kThreads) store_flagged(sums + k * chunk + j, scratch[j], flag);
  poll_flagged<kN>([&](int i) { return sums + threadIdx.x + i * kThreads; }, flag, got);
#pragma unroll
  for (int i = 0; i < kN; ++i) sum ^= __float_as_uint(got[i]);
  return sum;
}

// This thread's pieces of a block's operands for the shrink, loaded into registers (the async forms): piece i =
// threadIdx.x + j * kBlockThreads of the group's x rows (kShare bytes of each from column col0), then of A's rows.
template <int kRank, int kGroupRows, int kShare, int kBlockThreads, int kHeld>
__device__ __forceinline__ void load_x_and_a(const Set& s, int h, int row0, int col0, uint4 (&held)[kHeld]) {
  constexpr int kVecs = kShare / 16, kXVecs = kGroupRows * kVecs, kAVecs = kRank * kVecs;
#pragma unroll
  for (int j = 0; j < kHeld; ++j) {
    const int i = threadIdx.x + j * kBlockThreads;
    const uint4* x =
        reinterpret_cast<const uint4*>(s.x + static_cast<int64_t>(row0 + i / kVecs) * h + col0) + i % kVecs;
    const int k = i - kXVecs;
    const uint4* a = reinterpret_cast<const uint4*>(s.a + static_cast<int64_t>(k / kVecs) * h + col0) + k % kVecs;
    held[j] = i < kXVecs ? __ldcg(x) : k < kAVecs ? __ldcg(a) : make_uint4(0, 0, 0, 0);
  }
}

// The async forms' copies of the expand's operands by 16-byte cp.async, one commit group: kBBytes of B's rows from
// column col of h_out (contiguous) into sb, then the group's y rows' kShare bytes from col into sy.
template <int kRank, int kGroupRows, int kShare, int kBBytes, int kBlockThreads>
__device__ __forceinline__ void copy_b_and_y(const Set& s, int h, int row0, int col, unsigned char* sb,
                                             unsigned char* sy) {
  constexpr int kVecs = kShare / 16;
  const unsigned char* b = reinterpret_cast<const unsigned char*>(s.b + static_cast<int64_t>(col) * kRank);
  for (int i = threadIdx.x; i < kBBytes / 16; i += kBlockThreads)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(smem_addr(sb + 16 * i)), "l"(b + 16 * i)
                 : "memory");
  for (int i = threadIdx.x; i < kGroupRows * kVecs; i += kBlockThreads)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;"
                 :: "r"(smem_addr(sy + 16 * i)),
                    "l"(s.y + static_cast<int64_t>(row0 + i / kVecs) * h + col + 8 * (i % kVecs)) : "memory");
  asm volatile("cp.async.commit_group;" ::: "memory");
}

// The async forms: x and A into registers, y and B by 16-byte cp.async into shared memory, issued in that order.
template <int kRank, int kGroupRows, int kShare>
__global__ void __launch_bounds__(kThreads, 1) probe_async(Set s, unsigned* counter, int h, AsyncSum how) {
  extern __shared__ __align__(128) unsigned char smem[];
  constexpr int kCols = kShare / 2, kVecs = kShare / 16;  // a row's share: columns, 16-byte vectors
  constexpr int kXVecs = kGroupRows * kVecs, kAVecs = kRank * kVecs, kBBytes = kCols * kRank * 2;
  constexpr int kHeld = (kXVecs + kAVecs + kThreads - 1) / kThreads;
  unsigned char* sb = smem;            // [kCols][kRank * 2]
  unsigned char* sy = sb + kBBytes;    // [kGroupRows][kShare]
  constexpr int kTile = kGroupRows * kRank;
  __shared__ uint32_t found_shared;
  __shared__ float scratch[kTile / 16];  // async_ll: the block's chunk of the sum (S >= 16 in every shape here)
  const int S = 2 * h / kShare;
  const int g = blockIdx.x / S, sp = blockIdx.x % S;
  const int row0 = g * kGroupRows, col0 = sp * kCols;
  const Exchange<kTile> ex(s.v, kBlocks / S * kGroupRows, kRank, kBlocks / S, S);
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  if (threadIdx.x == 0) {
    if (how == kFlagged)
      asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(found_shared) : "l"(ex.epoch) : "memory");
    else
      asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(found_shared) : "l"(counter) : "memory");
  }
  uint4 held[kHeld];
  load_x_and_a<kRank, kGroupRows, kShare, kThreads>(s, h, row0, col0, held);
  copy_b_and_y<kRank, kGroupRows, kShare, kBBytes, kThreads>(s, h, row0, col0, sb, sy);
  uint32_t sum = 0;
#pragma unroll
  for (int j = 0; j < kHeld; ++j) sum ^= fold(held[j]);
  if (how == kFlagged) {
    if (S < 16) __trap();  // scratch holds kTile / 16 floats
    __syncthreads();  // found_shared: the epoch
    sum = sum_v_flagged(ex, g, S, sp, found_shared + 1, sum, scratch);
  } else {
    sum = sum_v_at_barrier<kThreads, kRank, kGroupRows>(s.v + static_cast<int64_t>(row0) * kRank, counter,
                                                        found_shared, kBlocks, sum, how == kRelaxedBarrier, [] {});
  }
  asm volatile("cp.async.wait_all;" ::: "memory");
  __syncthreads();  // every thread's copies have landed
  sum ^= fold_all<kThreads>(sb, kBBytes);
  write_y<kGroupRows, kShare>(s.y, sy, h, row0, col0, sum);
  if (how == kFlagged && threadIdx.x == 0 && atomicAdd(ex.done, 1u) == kBlocks - 1) {
    // The launch's last block: every block has read the epoch (at its start), so the next launch's flags may change.
    *ex.done = 0;
    *ex.epoch = found_shared + 1;
  }
}

// The fused kernel's rank-128 decomposition (entry 380): kLaunchBlocks blocks of kBlockThreads threads, kPerSm an SM,
// in row groups of kGroupRows; a block reduces a kShare-byte share of h_in (x and A into registers, as probe_async)
// and expands its h_out share as two column tiles of half the share each, as the fused kernel's grid handoff gives a
// block two tiles (fused.cuh, kRing 1): the first tile's y and B by 16-byte cp.async at the start, the second's at the
// start too (`second_late` false) or only after the barrier (true: the kernel's order where a block's shared memory
// holds one tile's slots).
template <int kRank, int kGroupRows, int kShare, int kLaunchBlocks, int kBlockThreads, int kPerSm>
__global__ void __launch_bounds__(kBlockThreads, kPerSm)
    probe_two_tiles(Set s, unsigned* counter, int h, bool second_late) {
  extern __shared__ __align__(128) unsigned char smem[];
  constexpr int kCols = kShare / 2, kVecs = kShare / 16;
  constexpr int kXVecs = kGroupRows * kVecs, kAVecs = kRank * kVecs;
  constexpr int kHeld = (kXVecs + kAVecs + kBlockThreads - 1) / kBlockThreads;
  constexpr int kTileCols = kCols / 2, kTileBBytes = kTileCols * kRank * 2, kTileYBytes = kGroupRows * kTileCols * 2;
  __shared__ uint32_t found_shared;
  const int S = 2 * h / kShare;
  const int g = blockIdx.x / S, sp = blockIdx.x % S;
  const int row0 = g * kGroupRows, col0 = sp * kCols;
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  if (threadIdx.x == 0)
    asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(found_shared) : "l"(counter) : "memory");
  uint4 held[kHeld];
  load_x_and_a<kRank, kGroupRows, kShare, kBlockThreads>(s, h, row0, col0, held);
  auto copy_tile = [&](int t) {  // column tile t: its B rows, then its piece of each of the group's y rows
    unsigned char* sb = smem + t * (kTileBBytes + kTileYBytes);
    copy_b_and_y<kRank, kGroupRows, kShare / 2, kTileBBytes, kBlockThreads>(s, h, row0, col0 + t * kTileCols, sb,
                                                                           sb + kTileBBytes);
  };
  copy_tile(0);
  if (!second_late) copy_tile(1);
  uint32_t sum = 0;
#pragma unroll
  for (int j = 0; j < kHeld; ++j) sum ^= fold(held[j]);
  sum = sum_v_at_barrier<kBlockThreads, kRank, kGroupRows>(s.v + static_cast<int64_t>(row0) * kRank, counter,
                                                           found_shared, kLaunchBlocks, sum, false, [] {});
  if (second_late) copy_tile(1);
  asm volatile("cp.async.wait_all;" ::: "memory");
  __syncthreads();  // every thread's copies have landed
  for (int t = 0; t < 2; ++t) {
    const unsigned char* sb = smem + t * (kTileBBytes + kTileYBytes);
    sum ^= fold_all<kBlockThreads>(sb, kTileBBytes);
    write_y<kGroupRows, kShare / 2, kBlockThreads>(s.y, sb + kTileBBytes, h, row0, col0 + t * kTileCols, sum);
  }
}

// Host: one probe_two_tiles shape timed in both orders (PDL); n/a where the GPU cannot hold every block at once.
template <int kRank, int kRows, int kH, int kGroups, int kLaunchBlocks, int kBlockThreads, int kPerSm>
void time_two_tiles(const ReplayStream& replay, unsigned* counter) {
  constexpr int kGroupRows = kRows / kGroups, kShare = 2 * kH / (kLaunchBlocks / kGroups);
  constexpr int kSmem = 2 * (kShare / 4 * kRank * 2 + kGroupRows * kShare / 2);
  auto kernel = probe_two_tiles<kRank, kGroupRows, kShare, kLaunchBlocks, kBlockThreads, kPerSm>;
  cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kSmem);
  int per_sm = 0, sms = 0;
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kBlockThreads, kSmem);
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  printf("%5d %6d %5d %7d %7.1f %6d x %4d, %d an SM (%d fit)", kRows, kH, kRank, kGroups, kSmem / 1024.0,
         kLaunchBlocks, kBlockThreads, kPerSm, per_sm * sms);
  if (per_sm * sms < kLaunchBlocks) {
    printf(" n/a\n");
    return;
  }
  cudaMemset(counter, 0, 128);
  const size_t xb = size_t(kRows) * kH * 2, wb = size_t(kRank) * kH * 2, vb = size_t(kRows) * kRank * 4;
  const int sets = 32;
  const BufferSets mem(sets, xb, wb, vb);
  const std::vector<Set> all = mem.as<Set>();
  for (int late = 0; late <= 1; ++late) {
    const double us = replay.us(sets, [&](int i) {
      const ProbeLaunch l(dim3(kLaunchBlocks), dim3(kBlockThreads), replay.stream, true, 0, kSmem);
      cudaLaunchKernelEx(&l.config, kernel, all[i], counter, kH, static_cast<bool>(late));
    });
    printf(" %s=%.2f", late ? "second_late" : "both_early", us);
  }
  const cudaError_t err = cudaDeviceSynchronize();
  printf(" (%s%s)\n", cudaGetErrorString(err), take_timeouts() ? ", WAITS TIMED OUT" : "");
}

struct Shape {
  int rows, h, rank, groups, smem;
  void (*kernel)(Set, unsigned*, int, Form);
  void (*async_kernel)(Set, unsigned*, int, AsyncSum);
  int async_smem;
};

template <int kRank, int kRows, int kH, int kGroups>
Shape shape() {
  constexpr int kGroupRows = kRows / kGroups, kShare = 2 * kH / (kBlocks / kGroups);
  constexpr int kSmem = (2 * kGroupRows + kRank) * kShare + kShare / 2 * kRank * 2 + 16;
  constexpr int kAsyncSmem = kGroupRows * kShare + kShare / 2 * kRank * 2;
  return Shape{kRows, kH, kRank, kGroups, kSmem, probe<kRank, kGroupRows, kShare>,
               probe_async<kRank, kGroupRows, kShare>, kAsyncSmem};
}

int main() {
  int smem_max = 0;
  cudaDeviceGetAttribute(&smem_max, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0);
  if (!every_block_fits(kBlocks)) return 1;
  // rows, h, rank, groups: 32-row groups at 256 rows, 16-row groups at 64; then 256 rows in 64-row groups of 32
  // blocks (entry 379: the weights read from L2 half as often as at 32 rows, v's tile twice the size), and rank 128
  // in both (its 32-row groups' bulk-copy forms take more shared memory than a block has: async only)
  const Shape shapes[] = {shape<64, 256, 8192, 8>(), shape<64, 256, 4096, 8>(), shape<16, 256, 8192, 8>(),
                          shape<16, 256, 4096, 8>(), shape<64, 64, 8192, 4>(), shape<64, 64, 4096, 4>(),
                          shape<64, 256, 8192, 4>(), shape<64, 256, 4096, 4>(), shape<16, 256, 8192, 4>(),
                          shape<128, 256, 8192, 8>(), shape<128, 256, 8192, 4>()};
  unsigned* counter;
  cudaMalloc(&counter, 128);
  const ReplayStream replay;
  const cudaStream_t stream = replay.stream;
  const char* names[] = {"copy", "barrier", "relaxed", "late"};
  printf("%5s %6s %5s %7s %7s %7s %8s %5s  us per launch (median of 15 graph replays of 32 launches, cold sets)\n",
         "rows", "h", "rank", "groups", "smemKB", "MB", "floorus", "pdl");
  for (int pdl = 1; pdl >= 0; --pdl)
    for (const Shape& sh : shapes) {
      cudaMemset(counter, 0, 128);
      const size_t xb = size_t(sh.rows) * sh.h * 2, wb = size_t(sh.rank) * sh.h * 2;
      const size_t vb = size_t(sh.rows) * sh.rank * 4 + Exchange<1>::bytes(sh.rows, sh.rank, kBlocks / sh.groups);
      const double mb = (3.0 * xb + 2.0 * wb) / 1e6;
      printf("%5d %6d %5d %7d %7.1f %7.1f %8.2f %s", sh.rows, sh.h, sh.rank, sh.groups, sh.smem / 1024.0, mb,
             mb / 4.2e6 * 1e6, pdl ? "pdl  " : "plain");
      if (sh.async_smem > smem_max) {
        printf(" n/a (shared memory)\n");
        continue;
      }
      const int sets = 32;
      const BufferSets mem(sets, xb, wb, vb);
      const std::vector<Set> all = mem.as<Set>();
      if (sh.smem > smem_max) printf(" copy, barrier, relaxed, late: n/a (shared memory)");
      else cudaFuncSetAttribute(sh.kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, sh.smem);
      for (int form = kCopy; form <= kLate && sh.smem <= smem_max; ++form) {
        const double us = replay.us(sets, [&](int i) {
          const ProbeLaunch l(dim3(kBlocks), dim3(kThreads), stream, pdl, 0, sh.smem);
          cudaLaunchKernelEx(&l.config, sh.kernel, all[i], counter, sh.h, static_cast<Form>(form));
        });
        printf(" %s=%.2f", names[form], us);
      }
      cudaFuncSetAttribute(sh.async_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, sh.async_smem);
      const char* async_names[] = {"async", "async_relaxed", "async_ll"};
      for (int how = kAtBarrier; how <= kFlagged; ++how) {
        const double us = replay.us(sets, [&](int i) {
          const ProbeLaunch l(dim3(kBlocks), dim3(kThreads), stream, pdl, 0, sh.async_smem);
          cudaLaunchKernelEx(&l.config, sh.async_kernel, all[i], counter, sh.h, static_cast<AsyncSum>(how));
        });
        printf(" %s=%.2f", async_names[how], us);
      }
      const cudaError_t err = cudaDeviceSynchronize();
      printf(" (%s%s)\n", cudaGetErrorString(err), take_timeouts() ? ", WAITS TIMED OUT" : "");  // (each shape afresh)
      if (err != cudaSuccess) return 1;
    }
  // Entry 380: rank 128's fused decomposition (256 blocks of 4 warps, two an SM, two column tiles a block) against
  // one block of 8 warps an SM over the same 32-row groups (128 blocks, 16 a group)
  printf("%5s %6s %5s %7s %7s  blocks x threads  us per launch (PDL)\n", "rows", "h", "rank", "groups", "smemKB");
  time_two_tiles<128, 256, 8192, 8, 256, 128, 2>(replay, counter);
  time_two_tiles<128, 256, 8192, 8, 128, 256, 1>(replay, counter);
  time_two_tiles<64, 256, 8192, 8, 128, 256, 1>(replay, counter);
  time_two_tiles<64, 256, 8192, 8, 256, 128, 2>(replay, counter);
  return 0;
}
