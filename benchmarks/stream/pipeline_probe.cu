// What one launch of add_lora for one adapter over R rows costs in data movement alone when each block keeps one
// share of the weights for every row of its group and the expand of a row tile waits only for that tile's v, not
// for the whole shrink (benchmarks/NOTES.md, entry 124). Entry 64's handoff_probe put any launch whose expand waits
// at one grid barrier near 9.1 us at 256 x 8192 (target 7.49): every byte of the expand after every byte of the
// shrink. Here the row tiles pipeline: tile t's expand runs while later tiles' x is still arriving.
// bf16 x, y [R][h], A [r][h], B [h][r], v [R][r] float32; r 16 or 64. Loads feed a checksum that the additions and
// stores carry, so none is dropped; no math.
// Grid: G row groups of R / G rows x S = 128 / G blocks a group; block s of a group takes the s-th 1 / S of h_in's
// and of h_out's 16-byte vectors (128 blocks: whole 128-byte lines at h8192, G 1). 256 threads a block in two
// roles, each holding its operands in registers, every load issued at the start (loads into registers do not hold
// up a release's MEMBAR, entry 75; cp.async copies would):
//   warps 0-3, the shrink: its share of A and of the group's x rows; per row tile of T rows, once the tile's x has
//              landed, adds its partial v (T x r floats) into v;
//   warps 4-7, the expand: its share of B (h_out / S rows of r) and of the group's y rows; per row tile, once the
//              tile's v is summed, reads it and writes the tile's y.
// Forms, each one launch, timed as the bench times add_lora (graph_replay.cuh: 32 cold buffer sets, median of 15):
//   copy    : the same loads and stores, no v and no wait: this decomposition's bytes
//   barrier : v added tile by tile, one grid-wide barrier after the last tile's additions (the handoff's order)
//   tiles   : a counter per (group, row tile): the shrink role arrives at its tile's counter after the tile's
//             additions (release), the expand role waits at each tile's counter in turn (acquire), so tile t's
//             expand overlaps tiles t + 1... of the shrink
//   relaxed : tiles with relaxed arrivals (no MEMBAR: not a barrier's ordering, for scale only; a MEMBAR may wait
//             for memory operations of the block still in flight, entries 74-75)
//   late    : barrier, but the expand role issues its loads of B and y only once the shrink role's x and A have
//             landed and its additions are issued (a block barrier across the roles): x is not queued behind y in
//             DRAM, and y's loads overlap the additions and the grid barrier
//   cluster : tiles with v's traffic through L2 cut C-fold by clusters of C blocks (4 or 8, consecutive shares):
//             each block pushes part p of its partial tile to block p of its cluster (st.async onto that block's
//             mbarrier for the tile), block p sums the C parts and adds only its part into v; after the tile's
//             counter flips, block p reads part p of v and pushes it to every block of the cluster. A slot and two
//             mbarriers a tile in shared memory, none reused within a launch. Skipped (n/a) where the GPU cannot hold
//             all 128 / C clusters at once (the waits would need a second wave).
// Counters flip their top bit once a launch, as handoff.cuh's: a group's first block adds kFlip - (S - 1), the
// others 1. A wait that never sees the flip gives up (wait_flip) and the run reports it.
//
//   nvcc -O3 -arch=sm_90 -o pipeline_probe pipeline_probe.cu && ./pipeline_probe
#include <cstdint>
#include <cstdio>
#include <vector>

#include <cuda_runtime.h>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

constexpr int kBlocks = 128;
constexpr int kRoleThreads = 128;  // a role's threads (4 warps)
constexpr int kThreads = 2 * kRoleThreads;
constexpr int kLine = 32;       // counters 128 bytes apart
constexpr int kMaxTiles = 16;   // row tiles a group
constexpr int kMaxHeld = 48;    // 16-byte vectors a thread holds (x and A, or y and B)

enum Form { kCopy, kBarrier, kTiles, kRelaxed, kLate, kClusterSum };

struct Set {
  const uint4 *x, *a, *b;
  uint4* y;
  float* v;
};

__device__ void role_sync(int id) { asm volatile("bar.sync %0, %1;" :: "r"(id), "r"(kRoleThreads) : "memory"); }

// kRank: r; kGroupRows: R / G; kShare: 16-byte vectors of a row a block takes (h / 8 / S); kT: rows a tile.
template <int kRank, int kGroupRows, int kShare, int kT>
__global__ void __launch_bounds__(kThreads, 1) probe(Set s, unsigned* counters, int h, Form form) {
  constexpr int kRowTiles = kGroupRows / kT;
  constexpr int kTileVecs = kT * kShare;              // x or y vectors of a tile's share
  static_assert(kTileVecs % kRoleThreads == 0, "a tile in whole passes of a role's threads");
  constexpr int kPerTile = kTileVecs / kRoleThreads;  // a thread's vectors of each tile
  constexpr int kWeightVecs = kRank * kShare;         // A's (or B's) vectors of the share
  constexpr int kWeightHeld = (kWeightVecs + kRoleThreads - 1) / kRoleThreads;
  constexpr int kHeld = kRowTiles * kPerTile + kWeightHeld;
  static_assert(kRowTiles <= kMaxTiles && kHeld <= kMaxHeld, "see kMaxTiles, kMaxHeld");
  constexpr int kVQuads = kT * kRank / 4;  // float4s of a tile's v
  constexpr int kVPerThread = (kVQuads + kRoleThreads - 1) / kRoleThreads;

  __shared__ uint32_t found_shared;
  // The cluster form's slots: [tile][kVQuads] partial parts in (slot src * part + k), [tile][kVQuads] the tile's v,
  // then an mbarrier a tile for each (each completes once, phase 0, when its kVQuads * 16 bytes have landed).
  extern __shared__ __align__(16) unsigned char slots[];
  float4* inbox = reinterpret_cast<float4*>(slots);
  float4* vbuf = inbox + kRowTiles * kVQuads;
  uint64_t* in_bars = reinterpret_cast<uint64_t*>(vbuf + kRowTiles * kVQuads);
  uint64_t* v_bars = in_bars + kRowTiles;
  int me = 0, cluster = 1;
  if (form == kClusterSum) {
    asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(me));
    asm volatile("mov.u32 %0, %%cluster_nctarank;" : "=r"(cluster));
    if (threadIdx.x == 0) {
      for (int t = 0; t < 2 * kRowTiles; ++t) {
        asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" :: "r"(smem_addr(&in_bars[t])) : "memory");
        asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" :: "r"(smem_addr(&in_bars[t])),
                     "r"(kVQuads * 16) : "memory");
      }
      asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    // every block's mbarriers are ready before any block pushes to them
    asm volatile("barrier.cluster.arrive.aligned;\n\tbarrier.cluster.wait.aligned;" ::: "memory");
  }
  const int part = kVQuads / cluster;  // quads of a tile's v each block of a cluster sums
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  const int S = h / 8 / kShare;  // blocks a group
  const int g = blockIdx.x / S, sp = blockIdx.x % S;
  const int row0 = g * kGroupRows;
  const int vpr = h / 8;     // 16-byte vectors a row of x or y
  const int c0 = sp * kShare;  // the share's first vector in a row
  unsigned* tile_counters = counters + (1 + g * kMaxTiles) * kLine;
  if (threadIdx.x == 0)
    asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];"
                 : "=r"(found_shared) : "l"(form == kCopy || form == kBarrier || form == kLate ? counters : tile_counters) : "memory");
  __syncthreads();  // the counters as the launch found them, before any of this block's arrivals
  const uint32_t found = found_shared;
  const bool tiles = form == Form::kTiles || form == kRelaxed || form == kClusterSum;  // a counter a tile
  const int role = threadIdx.x / kRoleThreads, i = threadIdx.x % kRoleThreads;
  // Vector k of a tile's share: row k / kShare of the tile, vector k % kShare of the share.
  auto row_vec = [&](const uint4* base, int t, int k) {
    return base + static_cast<int64_t>(row0 + t * kT + k / kShare) * vpr + c0 + k % kShare;
  };
  uint4 held[kHeld];
  uint32_t sum = 0;
  if (role == 0) {
    // A's share first (every tile needs it), then x tile by tile
#pragma unroll
    for (int j = 0; j < kWeightHeld; ++j) {
      const int k = i + j * kRoleThreads;  // row k / kShare of A, vector k % kShare
      held[kRowTiles * kPerTile + j] =
          k < kWeightVecs ? __ldcg(s.a + static_cast<int64_t>(k / kShare) * vpr + c0 + k % kShare)
                          : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int t = 0; t < kRowTiles; ++t)
#pragma unroll
      for (int j = 0; j < kPerTile; ++j) held[t * kPerTile + j] = __ldcg(row_vec(s.x, t, i + j * kRoleThreads));
#pragma unroll
    for (int t = 0; t < kRowTiles; ++t) {
      if (t == 0)
#pragma unroll
        for (int j = 0; j < kWeightHeld; ++j) sum ^= fold(held[kRowTiles * kPerTile + j]);
#pragma unroll
      for (int j = 0; j < kPerTile; ++j) sum ^= fold(held[t * kPerTile + j]);
      if (form == kCopy) continue;
      role_sync(1);  // the tile's x has landed in every thread of the role (its partial v would need all of it)
      float* v = s.v + static_cast<int64_t>(row0 + t * kT) * kRank;
      const float f = static_cast<float>(sum & 1);
      if (form == kClusterSum) {
        float4* in = inbox + t * kVQuads;
#pragma unroll
        for (int j = 0; j < kVPerThread; ++j) {
          const int q = i + j * kRoleThreads;
          if (q < kVQuads) push4(in + me * part + q % part, &in_bars[t], q / part, make_float4(f, f, f, f));
        }
        for (int k = i; k < part; k += kRoleThreads) {  // this block's part: the cluster's C partials summed
          wait_phase0(&in_bars[t]);
          float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
          for (int src = 0; src < cluster; ++src) {
            const float4 p = in[src * part + k];
            acc.x += p.x; acc.y += p.y; acc.z += p.z; acc.w += p.w;
          }
          asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %2, %3, %4};"
                       :: "l"(v + 4 * (me * part + k)), "f"(acc.x), "f"(acc.y), "f"(acc.z), "f"(acc.w) : "memory");
        }
      } else {
#pragma unroll
        for (int j = 0; j < kVPerThread; ++j) {
          const int q = i + j * kRoleThreads;
          if (q < kVQuads)
            asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %1, %1, %1};" :: "l"(v + 4 * q), "f"(f)
                         : "memory");
        }
      }
      if (tiles) {
        role_sync(1);  // the role's additions are issued
        if (i == 0) arrive(tile_counters + t * kLine, sp == 0, S, form == kRelaxed);
      }
    }
    if (form == kBarrier || form == kLate) {
      role_sync(1);
      if (i == 0) arrive(counters, blockIdx.x == 0, kBlocks);
    }
    if (form == kLate) asm volatile("bar.arrive 3, %0;" :: "r"(kThreads) : "memory");  // the expand may load now
    if (sum == 0x9E3779B9u) s.v[i] = 0.f;  // (the copy form's loads feed something)
  } else {
    // B's share first (its rows [c0 * 8, c0 * 8 + 8 kShare) of r each are contiguous), then y tile by tile
    const uint4* b = s.b + static_cast<int64_t>(c0) * kRank;
    if (form == kLate) asm volatile("bar.sync 3, %0;" :: "r"(kThreads) : "memory");
#pragma unroll
    for (int j = 0; j < kWeightHeld; ++j) {
      const int k = i + j * kRoleThreads;
      held[kRowTiles * kPerTile + j] = k < kWeightVecs ? __ldcg(b + k) : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int t = 0; t < kRowTiles; ++t)
#pragma unroll
      for (int j = 0; j < kPerTile; ++j) held[t * kPerTile + j] = __ldcg(row_vec(s.y, t, i + j * kRoleThreads));
    if (form == kBarrier || form == kLate) {
      if (i == 0) wait_flip(counters, found);
      role_sync(2);
    }
#pragma unroll
    for (int t = 0; t < kRowTiles; ++t) {
      if (t == 0)
#pragma unroll
        for (int j = 0; j < kWeightHeld; ++j) sum ^= fold(held[kRowTiles * kPerTile + j]);
      if (form != kCopy) {
        if (tiles) {
          if (i == 0) wait_flip(tile_counters + t * kLine, found);
          role_sync(2);  // the tile's v is summed
        }
        const float4* v = reinterpret_cast<const float4*>(s.v + static_cast<int64_t>(row0 + t * kT) * kRank);
        if (form == kClusterSum) {  // this block's part of v to every block of the cluster, then the whole tile
          float4* tile_v = vbuf + t * kVQuads;
          for (int k = i; k < part; k += kRoleThreads) {
            const float4 f = __ldcg(v + me * part + k);
            for (int dst = 0; dst < cluster; ++dst) push4(tile_v + me * part + k, &v_bars[t], dst, f);
          }
          wait_phase0(&v_bars[t]);
#pragma unroll
          for (int j = 0; j < kVPerThread; ++j) {
            const int q = i + j * kRoleThreads;
            if (q < kVQuads) sum ^= fold(tile_v[q]);
          }
        } else {
#pragma unroll
          for (int j = 0; j < kVPerThread; ++j) {
            const int q = i + j * kRoleThreads;
            if (q < kVQuads) sum ^= fold(__ldcg(v + q));
          }
        }
        role_sync(2);  // every thread's y of the tile depends on all of the tile's v
      }
#pragma unroll
      for (int j = 0; j < kPerTile; ++j) {
        uint4 q = held[t * kPerTile + j];
        q.x ^= sum & 1;
        __stcg(const_cast<uint4*>(row_vec(s.y, t, i + j * kRoleThreads)), q);
      }
    }
  }
  // No block exits while a push to it may be in flight (each waited for all its bytes; relaxed: nothing to order)
  if (form == kClusterSum)
    asm volatile("barrier.cluster.arrive.relaxed.aligned;\n\tbarrier.cluster.wait.aligned;" ::: "memory");
}

// The cluster form's dynamic shared memory: two slots of a tile's v and two mbarriers a tile.
template <int kRank, int kGroupRows, int kT>
constexpr int cluster_smem() {
  return kGroupRows / kT * (2 * kT * kRank / 4 * 16 + 2 * 8);
}

using ProbeKernel = void (*)(Set, unsigned*, int, Form);

struct Shape {
  int rows, h, rank, groups;
  ProbeKernel kernel;
  int smem;  // the cluster form's dynamic shared memory
};

// One instantiation per shape: kGroupRows = rows / groups, kShare = h / 8 / (128 / groups), kT 16 (32 where a
// tile's share would not fill the role's threads).
template <int kRank, int kRows, int kH, int kGroups, int kT = 16>
Shape shape() {
  constexpr int kS = kBlocks / kGroups;
  return Shape{kRows, kH, kRank, kGroups, probe<kRank, kRows / kGroups, kH / 8 / kS, kT>,
               cluster_smem<kRank, kRows / kGroups, kT>()};
}

int main() {
  if (!every_block_fits(kBlocks)) return 1;
  const Shape shapes[] = {
      shape<64, 256, 8192, 1>(), shape<64, 256, 8192, 2>(), shape<64, 256, 8192, 4>(),
      shape<64, 256, 4096, 1, 32>(), shape<64, 256, 4096, 2>(), shape<64, 256, 4096, 4>(),
      shape<64, 64, 8192, 1>(), shape<64, 64, 4096, 1, 32>(), shape<64, 16, 8192, 1>(),
      shape<16, 256, 8192, 1>(), shape<16, 256, 8192, 4>(), shape<16, 256, 4096, 1, 32>(),
      shape<16, 64, 8192, 1>(), shape<64, 256, 8192, 8>(), shape<64, 256, 4096, 8>(), shape<64, 64, 8192, 2>(),
      shape<64, 64, 8192, 4>(), shape<16, 256, 8192, 8>()};
  unsigned* counters;
  const size_t counter_bytes = size_t(4) * kLine * (1 + 4 * kMaxTiles);
  cudaMalloc(&counters, counter_bytes);
  cudaMemset(counters, 0, counter_bytes);
  const ReplayStream replay;
  const cudaStream_t stream = replay.stream;
  const char* names[] = {"copy", "barrier", "tiles", "relaxed", "late"};
  printf("%5s %6s %5s %7s %7s %8s %5s  us per launch (median of 15 graph replays of 32 launches, cold sets)\n", "rows",
         "h", "rank", "groups", "MB", "floorus", "pdl");
  for (int pdl = 1; pdl >= 0; --pdl)
    for (const Shape& sh : shapes) {
      // Every counter at 0: each tile counter a shape uses then flips as often as its group's first (`found`)
      cudaMemset(counters, 0, counter_bytes);
      const size_t xb = size_t(sh.rows) * sh.h * 2, wb = size_t(sh.rank) * sh.h * 2;
      const size_t vb = size_t(sh.rows) * sh.rank * 4;
      const int sets = 32;
      const BufferSets mem(sets, xb, wb, vb);
      const std::vector<Set> all = mem.as<Set>();
      const double mb = (3.0 * xb + 2.0 * wb) / 1e6;  // x, y read and written, A, B: as DESIGN.md counts the floor
      printf("%5d %6d %5d %7d %7.1f %8.2f %s", sh.rows, sh.h, sh.rank, sh.groups, mb, mb / 4.2e6 * 1e6,
             pdl ? "pdl  " : "plain");
      for (int form = kCopy; form <= kLate; ++form) {
        const double us = replay.us(sets, [&](int i) {
          ProbeLaunch l(dim3(kBlocks), dim3(kThreads), stream, pdl);
          cudaLaunchKernelEx(&l.config, sh.kernel, all[i], counters, sh.h, static_cast<Form>(form));
        });
        printf(" %s=%.2f", names[form], us);
      }
      cudaFuncSetAttribute(sh.kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, sh.smem);
      for (int c : {4, 8}) {
        const ProbeLaunch launch(dim3(kBlocks), dim3(kThreads), stream, pdl, c, sh.smem);
        int fit = 0;
        cudaOccupancyMaxActiveClusters(&fit, sh.kernel, &launch.config);
        if (fit < kBlocks / c) {
          printf(" cluster%d=n/a(%d fit)", c, fit);
          continue;
        }
        const double us = replay.us(sets, [&](int i) {
          cudaLaunchKernelEx(&launch.config, sh.kernel, all[i], counters, sh.h, kClusterSum);
        });
        printf(" cluster%d=%.2f", c, us);
      }
      const cudaError_t err = cudaDeviceSynchronize();
      printf(" (%s%s)\n", cudaGetErrorString(err), take_timeouts() ? ", WAITS TIMED OUT" : "");  // (each shape afresh)
      if (err != cudaSuccess) return 1;
    }
  return 0;
}
