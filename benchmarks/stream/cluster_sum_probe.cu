// What one launch of add_lora for one adapter over R rows costs in data movement alone when each row group is one
// thread-block cluster of 16 that holds its operands in registers from the start and sums v on chip only: no v in
// global memory, no grid barrier, no counter (benchmarks/NOTES.md, entry 419). It joins pipeline_probe's best
// decomposition (entry 124: 32-row groups of 16 blocks, operands in registers, 5.78 us of bytes at 256 x 8192 r64,
// but a grid barrier: 7.4-7.9) with cluster_probe's on-chip sum (entry 120: 0.5-1.3 us over its copy, but bulk
// copies and two waves). Clusters of 16 are a non-portable size; the GPU holds only so many at once (7 on the
// H200 at one block an SM), so the groups are sized to them: ceil(R / kGroupRows) clusters, rows past R masked.
// bf16 x, y [R][h], A [r][h], B [h][r]; r 16 or 64. Loads feed a checksum that the pushes and stores carry, so none is
// dropped; no math.
// Block k of a cluster takes the k-th 1 / 16 of h_in's and h_out's 16-byte vectors. 512 threads in two roles of
// 8 warps, every load issued at the start:
//   warps 0-7, the shrink: its share of A and of the group's x rows; per row tile of kT rows, once the tile's x has
//              landed, part p of its partial v (kT x r floats) goes to block p (st.async onto that block's mbarrier
//              for the tile); block p sums the 16 parts and pushes its part of the tile's v to all 16 blocks;
//   warps 8-15, the expand: its share of B and of the group's y rows; per row tile, once the tile's v has landed
//              in its shared memory, folds it in and writes the tile's y.
// Forms, each one launch, timed as the bench times add_lora (graph_replay.cuh: 32 cold buffer sets, median of 15):
//   copy : the same loads and stores, no v and no wait: this decomposition's bytes
//   csum : v summed within the cluster as above
//
//   nvcc -O3 -arch=sm_90 -o cluster_sum_probe cluster_sum_probe.cu && ./cluster_sum_probe
#include <cstdint>
#include <cstdio>
#include <vector>

#include <cuda_runtime.h>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

constexpr int kCluster = 16;
constexpr int kRoleThreads = 256;  // a role's threads (8 warps)
constexpr int kThreads = 2 * kRoleThreads;

enum Form { kCopy, kClusterSum };

struct Set {
  const uint4 *x, *a, *b;
  uint4* y;
  float* v;  // unused (BufferSets' layout)
};

__device__ void role_sync(int id) { asm volatile("bar.sync %0, %1;" :: "r"(id), "r"(kRoleThreads) : "memory"); }

// kRank: r; kGroupRows: rows a cluster; kShare: 16-byte vectors of a row a block takes (h / 8 / 16); kT: rows a tile.
template <int kRank, int kGroupRows, int kShare, int kT>
__global__ void __launch_bounds__(kThreads, 1) probe(Set s, int rows, int h, Form form) {
  constexpr int kRowTiles = kGroupRows / kT;
  static_assert(kGroupRows % kT == 0, "whole tiles a group");
  constexpr int kTileVecs = kT * kShare;  // x or y vectors of a tile's share
  static_assert(kTileVecs % kRoleThreads == 0, "a tile in whole passes of a role's threads");
  constexpr int kPerTile = kTileVecs / kRoleThreads;
  constexpr int kWeightVecs = kRank * kShare;  // A's (or B's) vectors of the share
  static_assert(kWeightVecs % kRoleThreads == 0, "the weights' share in whole passes");
  constexpr int kWeightHeld = kWeightVecs / kRoleThreads;
  constexpr int kHeld = kRowTiles * kPerTile + kWeightHeld;
  constexpr int kVQuads = kT * kRank / 4;  // float4s of a tile's v
  constexpr int kPart = kVQuads / kCluster;  // of them, what each block sums
  static_assert(kVQuads % kCluster == 0 && kPart <= kRoleThreads, "a tile's v in whole parts, one a thread");

  // [tile][kVQuads] the parts pushed to this block (slot src * kPart + k), [tile][kVQuads] the tile's summed v,
  // then an mbarrier a tile for each; each completes once (phase 0), when its kVQuads * 16 bytes have landed.
  __shared__ float4 inbox[kRowTiles][kVQuads];
  __shared__ float4 vbuf[kRowTiles][kVQuads];
  __shared__ uint64_t in_bars[kRowTiles], v_bars[kRowTiles];
  uint32_t me = 0;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(me));
  if (form == kClusterSum) {
    if (threadIdx.x == 0) {
      for (int t = 0; t < kRowTiles; ++t)
        for (uint64_t* bar : {&in_bars[t], &v_bars[t]}) {
          asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" :: "r"(smem_addr(bar)) : "memory");
          expect_bytes(bar, kVQuads * 16);
        }
      asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    // every block's mbarriers are ready before any block pushes to them
    asm volatile("barrier.cluster.arrive.aligned;\n\tbarrier.cluster.wait.aligned;" ::: "memory");
  }
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  const int row0 = blockIdx.x / kCluster * kGroupRows;
  const int vpr = h / 8;             // 16-byte vectors a row of x or y
  const int c0 = int(me) * kShare;   // the share's first vector in a row
  const int role = threadIdx.x / kRoleThreads, i = threadIdx.x % kRoleThreads;
  // Vector k of a tile's share: row k / kShare of the tile, vector k % kShare of the share; rows past R are masked.
  auto row_of = [&](int t, int k) { return row0 + t * kT + k / kShare; };
  auto row_vec = [&](const uint4* base, int t, int k) {
    return base + static_cast<int64_t>(row_of(t, k)) * vpr + c0 + k % kShare;
  };
  uint4 held[kHeld];
  auto load_rows = [&](const uint4* base) {  // the group's rows of x or y, tile by tile, after the weights' share
#pragma unroll
    for (int t = 0; t < kRowTiles; ++t)
#pragma unroll
      for (int j = 0; j < kPerTile; ++j) {
        const int k = i + j * kRoleThreads;
        held[t * kPerTile + j] = row_of(t, k) < rows ? __ldcg(row_vec(base, t, k)) : make_uint4(0, 0, 0, 0);
      }
  };
  uint32_t sum = 0;
  if (role == 0) {
    // A's share first (every tile needs it), then x tile by tile
#pragma unroll
    for (int j = 0; j < kWeightHeld; ++j) {
      const int k = i + j * kRoleThreads;  // row k / kShare of A, vector k % kShare
      held[kRowTiles * kPerTile + j] = __ldcg(s.a + static_cast<int64_t>(k / kShare) * vpr + c0 + k % kShare);
    }
    load_rows(s.x);
#pragma unroll
    for (int t = 0; t < kRowTiles; ++t) {
      if (t == 0)
#pragma unroll
        for (int j = 0; j < kWeightHeld; ++j) sum ^= fold(held[kRowTiles * kPerTile + j]);
#pragma unroll
      for (int j = 0; j < kPerTile; ++j) sum ^= fold(held[t * kPerTile + j]);
      if (form == kCopy) continue;
      role_sync(1);  // the tile's x has landed in every thread of the role (its partial v would need all of it)
      const float f = static_cast<float>(sum & 1);
      for (int q = i; q < kVQuads; q += kRoleThreads)  // part q / kPart of the partial to its summing block
        push4(&inbox[t][me * kPart + q % kPart], &in_bars[t], q / kPart, make_float4(f, f, f, f));
      if (i < kPart) {  // this block's part: the cluster's 16 partials summed, pushed to every block
        wait_phase0(&in_bars[t]);
        float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
        for (int src = 0; src < kCluster; ++src) {
          const float4 p = inbox[t][src * kPart + i];
          acc.x += p.x; acc.y += p.y; acc.z += p.z; acc.w += p.w;
        }
#pragma unroll
        for (int dst = 0; dst < kCluster; ++dst) push4(&vbuf[t][me * kPart + i], &v_bars[t], dst, acc);
      }
    }
    if (form == kCopy && sum == 0x9E3779B9u) s.v[i] = 0.f;  // (the copy form's loads feed something)
  } else {
    // B's share first (its rows [c0 * 8, c0 * 8 + 8 kShare) of r each are contiguous), then y tile by tile
    const uint4* b = s.b + static_cast<int64_t>(c0) * kRank;
#pragma unroll
    for (int j = 0; j < kWeightHeld; ++j) held[kRowTiles * kPerTile + j] = __ldcg(b + i + j * kRoleThreads);
    load_rows(s.y);
#pragma unroll
    for (int t = 0; t < kRowTiles; ++t) {
      if (t == 0)
#pragma unroll
        for (int j = 0; j < kWeightHeld; ++j) sum ^= fold(held[kRowTiles * kPerTile + j]);
      if (form == kClusterSum) {
        wait_phase0(&v_bars[t]);  // the tile's v has landed (every thread reads it)
        for (int q = i; q < kVQuads; q += kRoleThreads) sum ^= fold(vbuf[t][q]);
        role_sync(2);  // every thread's y of the tile depends on all of the tile's v
      }
#pragma unroll
      for (int j = 0; j < kPerTile; ++j) {
        const int k = i + j * kRoleThreads;
        uint4 q = held[t * kPerTile + j];
        q.x ^= sum & 1;
        if (row_of(t, k) < rows) __stcg(const_cast<uint4*>(row_vec(s.y, t, k)), q);
      }
    }
  }
  // No block exits while a push to it may be in flight (each waited for all its bytes; relaxed: nothing to order)
  if (form == kClusterSum)
    asm volatile("barrier.cluster.arrive.relaxed.aligned;\n\tbarrier.cluster.wait.aligned;" ::: "memory");
}

using ProbeKernel = void (*)(Set, int, int, Form);

struct Shape {
  int rows, h, rank, group_rows, tile_rows;
  ProbeKernel kernel;
};

template <int kRank, int kRows, int kH, int kGroupRows, int kT = 8>
Shape shape() {
  return Shape{kRows, kH, kRank, kGroupRows, kT, probe<kRank, kGroupRows, kH / 8 / kCluster, kT>};
}

int main() {
  // 256 rows in 7 clusters (40-row groups, the last 16; tiles of 8 rows, and of 20 and 40 for the pushes' count)
  // and, for scale, 32-row groups (8 clusters: skipped where fewer fit); 64 rows in 16-row groups (4 clusters).
  const Shape shapes[] = {shape<64, 256, 8192, 40>(), shape<64, 256, 8192, 40, 20>(), shape<64, 256, 8192, 40, 40>(),
                          shape<64, 256, 8192, 32>(), shape<64, 256, 4096, 40>(),     shape<16, 256, 8192, 40>(),
                          shape<64, 64, 8192, 16>(),  shape<64, 64, 4096, 16>()};
  const ReplayStream replay;
  const cudaStream_t stream = replay.stream;
  const char* names[] = {"copy", "csum"};
  printf("%5s %6s %5s %6s %5s %9s %7s %8s %5s  us per launch (median of 15 graph replays of 32 launches, cold sets)\n",
         "rows", "h", "rank", "group", "tile", "clusters", "MB", "floorus", "pdl");
  for (int pdl = 1; pdl >= 0; --pdl)
    for (const Shape& sh : shapes) {
      const int clusters = (sh.rows + sh.group_rows - 1) / sh.group_rows;
      cudaFuncSetAttribute(sh.kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
      const ProbeLaunch launch(dim3(clusters * kCluster), dim3(kThreads), stream, pdl, kCluster);
      int fit = 0;
      cudaOccupancyMaxActiveClusters(&fit, sh.kernel, &launch.config);
      const size_t xb = size_t(sh.rows) * sh.h * 2, wb = size_t(sh.rank) * sh.h * 2;
      const double mb = (3.0 * xb + 2.0 * wb) / 1e6;  // x, y read and written, A, B: as DESIGN.md counts the floor
      printf("%5d %6d %5d %6d %5d %4d of %2d %7.1f %8.2f %s", sh.rows, sh.h, sh.rank, sh.group_rows, sh.tile_rows,
             clusters, fit, mb,
             mb / 4.2e6 * 1e6, pdl ? "pdl  " : "plain");
      if (fit < clusters) {
        printf(" n/a (fewer clusters fit than the launch needs)\n");
        continue;
      }
      const int sets = 32;
      const BufferSets mem(sets, xb, wb, 4096);
      const std::vector<Set> all = mem.as<Set>();
      for (int form = kCopy; form <= kClusterSum; ++form) {
        const double us = replay.us(sets, [&](int i) {
          cudaLaunchKernelEx(&launch.config, sh.kernel, all[i], sh.rows, sh.h, static_cast<Form>(form));
        });
        printf(" %s=%.2f", names[form], us);
      }
      const cudaError_t err = cudaDeviceSynchronize();
      printf(" (%s)\n", cudaGetErrorString(err));
      if (err != cudaSuccess) return 1;
    }
  return 0;
}
