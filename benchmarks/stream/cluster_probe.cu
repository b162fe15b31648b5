// What one launch of add_lora for one adapter over R rows costs in data movement alone when thread-block clusters
// sum v on chip instead of a grid barrier, and every operand of the block, the expand's y and B too, is asked for
// at the start with bulk copies into shared memory (benchmarks/NOTES.md, entry 120): the bound of such a design for
// identical batches (entry 64's handoff_probe bounds the grid barrier's), apart from its MMAs. bf16 x, y [R][h],
// A [r][h], B [h][r] (r = 64). Loads feed a checksum that the stores carry, so none is dropped.
// Grid: R / T clusters of C blocks (a row tile of T rows a cluster; C = 16 is a non-portable size); block k of a
// cluster takes columns [k h / C, (k + 1) h / C) of h_in (x, A) and of h_out (B, y), all four in shared memory.
// Forms, each one launch, timed as the bench times add_lora (graph_replay.cuh: 32 cold buffer sets):
//   copy    : the block's x, A, B and y asked for at once (cp.async.bulk, one mbarrier for x and A, one for y and
//             B), read from shared memory, y written: this decomposition's bytes, no sum
//   cluster : as copy, but after x and A land each block pushes its partial v (T x r floats) to the cluster:
//             the 1 / C of it that block k sums goes to block k (st.async into its shared memory, completing bytes
//             on its mbarrier), block k sums the C parts and pushes its share of v to every block the same way,
//             and only once a block holds all of v are y and B read and y written. No fenced cluster barrier
//             after the start (barrier.cluster's release compiles to MEMBAR.ALL.GPU, which would wait for the bulk
//             copies of y and B in flight: NOTES.md, entries 74-75); a relaxed one at the end.
//
//   nvcc -O3 -arch=sm_90 -o cluster_probe cluster_probe.cu && ./cluster_probe
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

namespace cg = cooperative_groups;

constexpr int kThreads = 256;
constexpr int kRank = 64;
constexpr int kPiece = 16384;  // bytes a bulk copy of B's contiguous share

enum Form { kCopy, kCluster };

struct Set {
  const uint16_t *x, *a, *b;
  uint16_t* y;
};

__global__ void __launch_bounds__(kThreads, 1) probe(Set s, int h, int tile_rows, Form form) {
  extern __shared__ __align__(128) unsigned char smem[];
  cg::cluster_group cluster = cg::this_cluster();
  const int blocks = static_cast<int>(cluster.num_blocks());
  const int me = static_cast<int>(cluster.block_rank());
  const int cols = h / blocks, col0 = me * cols, row_bytes = 2 * cols;
  const int rows = tile_rows, row0 = blockIdx.x / blocks * rows;
  uint16_t* sx = reinterpret_cast<uint16_t*>(smem);
  uint16_t* sa = sx + rows * cols;
  uint16_t* sb = sa + kRank * cols;
  uint16_t* sy = sb + cols * kRank;
  float* inbox = reinterpret_cast<float*>(sy + rows * cols);  // [C][share]: each block's part of this block's share
  float* v = inbox + rows * kRank;                             // the cluster's sum [rows][r]
  // x and A landed, y and B landed, every part of this block's share landed, all of v landed
  uint64_t* bars = reinterpret_cast<uint64_t*>(v + rows * kRank);
  const int share = rows * kRank / blocks;  // the entries of v block `me` sums: [me share, (me + 1) share)
  if (threadIdx.x == 0) {
    for (int i = 0; i < 4; ++i)
      asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" :: "r"(smem_addr(&bars[i])) : "memory");
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  cluster.sync();  // every block's barriers are ready before any block pushes to them
  // as add_lora's kernels: the next launch may start now; nothing is read before the previous one is done
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  const int b_bytes = cols * kRank * 2;  // B's rows of the share are contiguous
  if (threadIdx.x < 32) {
    const int lane = threadIdx.x;
    if (lane == 0) {
      expect_bytes(&bars[0], (rows + kRank) * row_bytes);
      expect_bytes(&bars[1], rows * row_bytes + b_bytes);
      expect_bytes(&bars[2], blocks * share * 4);  // (the copy form never waits for these two)
      expect_bytes(&bars[3], rows * kRank * 4);
    }
    __syncwarp();
    for (int i = lane; i < rows; i += 32)
      bulk_copy(sx + i * cols, s.x + static_cast<int64_t>(row0 + i) * h + col0, row_bytes, &bars[0]);
    for (int i = lane; i < kRank; i += 32)
      bulk_copy(sa + i * cols, s.a + static_cast<int64_t>(i) * h + col0, row_bytes, &bars[0]);
    for (int i = lane; i * kPiece < b_bytes; i += 32)
      bulk_copy(reinterpret_cast<unsigned char*>(sb) + i * kPiece,
                reinterpret_cast<const unsigned char*>(s.b + static_cast<int64_t>(col0) * kRank) + i * kPiece,
                min(kPiece, b_bytes - i * kPiece), &bars[1]);
    for (int i = lane; i < rows; i += 32)
      bulk_copy(sy + i * cols, s.y + static_cast<int64_t>(row0 + i) * h + col0, row_bytes, &bars[1]);
  }
  wait_phase0(&bars[0]);
  uint32_t sum = fold_all<kThreads>(sx, (rows + kRank) * row_bytes);  // x and A
  if (form == kCluster) {
    const int quads = share / 4;  // float4s of a share
    for (int i = threadIdx.x; i < blocks * quads; i += kThreads) {  // this block's partial v, share by share
      const int owner = i / quads, j = 4 * (i % quads);
      const float f = static_cast<float>((sum >> (i % 7)) & 1);
      push4(inbox + me * share + j, &bars[2], owner, make_float4(f, f + 1, f + 2, f + 3));
    }
    wait_phase0(&bars[2]);
    for (int j = 4 * threadIdx.x; j < share; j += 4 * kThreads) {  // this block's share of v, to every block
      float4 acc = make_float4(0, 0, 0, 0);
      for (int k = 0; k < blocks; ++k) {
        const float4 part = *reinterpret_cast<const float4*>(inbox + k * share + j);
        acc.x += part.x; acc.y += part.y; acc.z += part.z; acc.w += part.w;
      }
      for (int q = 0; q < blocks; ++q) push4(v + me * share + j, &bars[3], q, acc);
    }
    wait_phase0(&bars[3]);  // all of v has landed: no block writes to this one's shared memory after this
    for (int i = threadIdx.x; i < rows * kRank; i += kThreads) sum ^= __float_as_uint(v[i]);
  }
  wait_phase0(&bars[1]);
  sum ^= fold_all<kThreads>(sb, b_bytes);
  const uint4* ys = reinterpret_cast<const uint4*>(sy);
  const int vpr = row_bytes / 16;  // 16-byte vectors a row's share
  for (int i = threadIdx.x; i < rows * vpr; i += kThreads) {
    uint4 q = ys[i];
    q.x ^= sum & 1;
    *reinterpret_cast<uint4*>(s.y + static_cast<int64_t>(row0 + i / vpr) * h + col0 + 8 * (i % vpr)) = q;
  }
  // No block exits before every block has all of v, so none has a push still in flight to it (relaxed: no fence,
  // nothing to order here)
  if (form == kCluster)
    asm volatile("barrier.cluster.arrive.relaxed.aligned;\n\tbarrier.cluster.wait.aligned;" ::: "memory");
}

int main() {
  int sms = 0, smem_max = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  cudaDeviceGetAttribute(&smem_max, cudaDevAttrMaxSharedMemoryPerBlockOptin, 0);
  cudaFuncSetAttribute(probe, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
  cudaFuncSetAttribute(probe, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_max);
  const ReplayStream replay;
  const cudaStream_t stream = replay.stream;
  printf("%5s %6s %5s %4s %7s %9s %8s %8s %5s  us per launch (median of 15 graph replays of 32 launches, cold)\n",
         "rows", "h", "tile", "C", "blocks", "clusters", "smemKB", "floorus", "pdl");
  // rows, h, rows a cluster's tile, blocks a cluster
  const int shapes[][4] = {{256, 8192, 32, 16}, {256, 8192, 64, 16}, {256, 4096, 16, 16}, {256, 4096, 32, 16},
                           {256, 4096, 32, 8}, {64, 8192, 8, 16}, {64, 4096, 4, 16}, {16, 8192, 2, 16}};
  const char* names[] = {"copy", "cluster"};
  for (int pdl = 0; pdl < 2; ++pdl)
  for (const auto& shape : shapes) {
    const int rows = shape[0], h = shape[1], tile = shape[2], c = shape[3];
    const int cols = h / c, blocks = rows / tile * c;
    const size_t smem = size_t(2) * (tile * cols + kRank * cols + cols * kRank + tile * cols) +
                        size_t(8) * tile * kRank + 32;
    const ProbeLaunch launch(dim3(blocks), dim3(kThreads), stream, pdl, c, smem);
    int clusters = -1;
    if (smem <= size_t(smem_max)) cudaOccupancyMaxActiveClusters(&clusters, probe, &launch.config);
    const size_t xb = size_t(rows) * h * 2, wb = size_t(kRank) * h * 2;
    const double mb = (3.0 * xb + 2.0 * wb) / 1e6;  // x, y read and written, A, B: as DESIGN.md counts the floor
    printf("%5d %6d %5d %4d %7d %9d %8.1f %8.2f %s", rows, h, tile, c, blocks, clusters, smem / 1024.0,
           mb / 4.2e6 * 1e6, pdl ? "pdl  " : "plain");
    if (smem > size_t(smem_max) || clusters <= 0) {
      printf(" n/a (shared memory or cluster size)\n");
      continue;
    }
    const int sets = 32;
    const BufferSets mem(sets, xb, wb, 0);
    std::vector<Set> all;
    for (int i = 0; i < sets; ++i)
      all.push_back(Set{static_cast<const uint16_t*>(mem.x[i]), static_cast<const uint16_t*>(mem.a[i]),
                        static_cast<const uint16_t*>(mem.b[i]), static_cast<uint16_t*>(mem.y[i])});
    for (int form = kCopy; form <= kCluster; ++form) {
      const double us = replay.us(sets, [&](int i) {
        cudaLaunchKernelEx(&launch.config, probe, all[i], h, tile, static_cast<Form>(form));
      });
      printf(" %s=%.2f", names[form], us);
    }
    const cudaError_t err = cudaDeviceSynchronize();
    printf(" (%s)\n", cudaGetErrorString(err));
    if (err != cudaSuccess) return 1;
  }
  return 0;
}
