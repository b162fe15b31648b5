// What one launch of add_lora for one adapter over R rows costs in data movement alone when its blocks split h_in
// and h_out and sum v through a grid barrier (benchmarks/NOTES.md, entry 64): the bound of the grid handoff's
// design for identical batches, apart from its MMAs and its instructions. bf16 x, y [R][H], A [r][H], B [H][r]
// (r = 64), v [R][r] float32. The loads feed a checksum that the stores and additions carry, so none is dropped.
// Forms, each one launch, timed as the bench times add_lora (a CUDA graph of one launch per buffer set, 32 sets of
// 10 MB or more, so every launch reads from HBM; the median of 15 replays over the launches):
//   barrier : the grid barrier alone (every block arrives once and waits for the last)
//   copy    : x, A and B read, y read and written, in one pass: the bytes' own cost, no barrier
//   phases  : the block's share of x and A read, its partial v (its 64 rows x r) added into v, the barrier, the
//             rows' v read back, its share of y and B read and y written
//   early   : as phases, with y's and B's loads issued before the barrier
//   l2      : as phases, with y's and B's lines prefetched into L2 before the barrier (prefetch.global.L2)
// Grid: G row groups of 64 rows (one group of R rows below 64; 256 rows also in groups of 128 and 256) x S = SMs / G
// blocks, each a 1/S share of h_in's and of h_out's 16-byte vectors; 512 threads a block.
//
//   nvcc -O3 -arch=sm_90 -o handoff_probe handoff_probe.cu && ./handoff_probe
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <cuda_runtime.h>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

constexpr int kThreads = 512;
constexpr int kRank = 64;
constexpr int kBatch = 8;      // 16-byte loads in flight a thread per round
constexpr int kHeld = 8;       // "early": the y and B vectors a thread holds across the barrier

enum Form { kBarrier, kCopy, kPhases, kEarly, kL2 };

struct Set {
  const uint4 *x, *a, *b;
  uint4* y;
  float* v;
};

// Vectors [0, n) of a region, vector i at address at(i), read kBatch a thread at a time into the checksum.
template <class At>
__device__ uint32_t read_all(int n, At at) {
  uint32_t sum = 0;
  for (int base = threadIdx.x; base < n; base += kBatch * kThreads) {
    uint4 r[kBatch];
#pragma unroll
    for (int j = 0; j < kBatch; ++j) {
      const int i = base + j * kThreads;
      r[j] = i < n ? __ldcg(at(i)) : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int j = 0; j < kBatch; ++j) sum ^= fold(r[j]);
  }
  return sum;
}

// y's vectors [0, n) at y_at(i), kBatch a thread at a time: read, the checksum's bit folded in, written back.
template <class At>
__device__ void update_all(int n, At at, uint32_t sum) {
  for (int base = threadIdx.x; base < n; base += kBatch * kThreads) {
    uint4 r[kBatch];
#pragma unroll
    for (int j = 0; j < kBatch; ++j) {
      const int i = base + j * kThreads;
      if (i < n) r[j] = __ldcg(at(i));
    }
#pragma unroll
    for (int j = 0; j < kBatch; ++j) {
      const int i = base + j * kThreads;
      if (i < n) {
        r[j].x ^= sum & 1;
        __stcg(at(i), r[j]);
      }
    }
  }
}

__device__ void grid_barrier(unsigned* counter, uint32_t found) {
  __syncthreads();
  if (threadIdx.x == 0) {
    const uint32_t blocks = gridDim.x;
    const uint32_t add = blockIdx.x == 0 ? kFlip - (blocks - 1) : 1u;
    asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
    uint32_t now;
    do {
      asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(now) : "l"(counter) : "memory");
    } while (((now ^ found) & kFlip) == 0);
  }
  __syncthreads();
}

__global__ void __launch_bounds__(kThreads, 1)
probe(Set s, unsigned* counter, int rows, int h, int groups, Form form) {
  // Launched as a programmatic dependent launch (the "pdl" rows), as add_lora's kernels are: the next launch's
  // blocks may start now, and this one reads nothing before the previous launch is done. Without it, no-ops.
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  uint32_t found;
  asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(found) : "l"(counter) : "memory");
  const int splits = gridDim.x / groups;
  const int g = blockIdx.x / splits, sp = blockIdx.x % splits;
  const int group_rows = rows / groups, row0 = g * group_rows;
  const int vpr = h / 8;  // 16-byte vectors a row of x or y
  const int c0 = vpr * sp / splits, c1 = vpr * (sp + 1) / splits, share = c1 - c0;
  const int b_vpr = kRank / 8;  // vectors a row of B
  auto x_at = [&](int i) { return s.x + static_cast<int64_t>(row0 + i / share) * vpr + c0 + i % share; };
  auto a_at = [&](int i) { return s.a + static_cast<int64_t>(i / share) * vpr + c0 + i % share; };
  auto y_at = [&](int i) { return s.y + static_cast<int64_t>(row0 + i / share) * vpr + c0 + i % share; };
  auto b_at = [&](int i) { return s.b + static_cast<int64_t>(c0 * 8) * b_vpr + i; };  // B's rows of the share
  const int n_x = group_rows * share, n_a = kRank * share, n_b = share * 8 * b_vpr;
  if (form == kBarrier) {
    grid_barrier(counter, found);
    return;
  }
  // x and A in one stream of loads (the shrink's share), and for the copy B too
  auto xa_at = [&](int i) { return i < n_x ? x_at(i) : i < n_x + n_a ? a_at(i - n_x) : b_at(i - n_x - n_a); };
  uint32_t sum = read_all(n_x + n_a + (form == kCopy ? n_b : 0), xa_at);
  if (form == kCopy) {
    update_all(n_x, y_at, sum);
    return;
  }
  uint4 held[kHeld];
  if (form == kEarly) {  // the expand's y and B, before the barrier (n_x + n_b <= kHeld threads' worth: host check)
#pragma unroll
    for (int j = 0; j < kHeld; ++j) {
      const int i = threadIdx.x + j * kThreads;
      held[j] = i < n_x ? __ldcg(y_at(i)) : i - n_x < n_b ? __ldcg(b_at(i - n_x)) : make_uint4(0, 0, 0, 0);
    }
  }
  if (form == kL2) {  // a prefetch per vector: the lines repeat, the memory system merges them
    for (int i = threadIdx.x; i < n_x + n_b; i += kThreads)
      asm volatile("prefetch.global.L2 [%0];" :: "l"(i < n_x ? y_at(i) : b_at(i - n_x)));
  }
  float* v = s.v + static_cast<int64_t>(row0) * kRank;
  for (int i = threadIdx.x; i < group_rows * kRank / 4; i += kThreads) {
    const float f = static_cast<float>(sum & 1);
    asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %1, %1, %1};" :: "l"(v + 4 * i), "f"(f) : "memory");
  }
  grid_barrier(counter, found);
  for (int i = threadIdx.x; i < group_rows * kRank / 4; i += kThreads)
    sum ^= __float_as_uint(__ldcg(reinterpret_cast<const float4*>(v) + i).x);
  if (form != kEarly) {
    sum ^= read_all(n_b, b_at);  // B, then y: the expand's two streams (held as one they would be kEarly's)
    update_all(n_x, y_at, sum);
  } else {
#pragma unroll
    for (int j = 0; j < kHeld; ++j) {
      const int i = threadIdx.x + j * kThreads;
      if (i >= n_x) sum ^= fold(held[j]);
    }
#pragma unroll
    for (int j = 0; j < kHeld; ++j) {
      const int i = threadIdx.x + j * kThreads;
      if (i < n_x) {
        held[j].x ^= sum & 1;
        __stcg(y_at(i), held[j]);
      }
    }
  }
}

int main() {
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  unsigned* counter;
  cudaMalloc(&counter, 64);
  cudaMemset(counter, 0, 64);
  const ReplayStream replay;
  const cudaStream_t stream = replay.stream;
  const char* names[] = {"barrier", "copy", "phases", "early", "l2"};
  printf("%6s %6s %6s %6s %8s %8s %5s  us per launch (median of 15 graph replays of 32 launches, cold sets)\n", "rows",
         "h", "groups", "blocks", "MB", "floorus", "pdl");
  // rows, h, rows a group (256 rows also in groups of 128 and 256: fewer reads of A and B, more of v)
  const int shapes[][3] = {{256, 8192, 64}, {256, 4096, 64}, {64, 8192, 64}, {64, 4096, 64}, {16, 8192, 64},
                           {16, 4096, 64}, {256, 8192, 128}, {256, 8192, 256}, {256, 4096, 128}, {256, 4096, 256}};
  for (int pdl = 0; pdl < 2; ++pdl)
  for (const auto& shape : shapes) {
    const int rows = shape[0], h = shape[1];
    const int groups = std::max(1, rows / shape[2]), blocks = sms / groups * groups;
    const int share_max = (h / 8 + blocks / groups - 1) / (blocks / groups);
    const bool early_ok = (rows / groups) * share_max + share_max * 8 * (kRank / 8) <= kHeld * kThreads;
    if (pdl == 0 && shape[2] != 64) continue;  // the other groupings as PDL launches only
    const size_t xb = size_t(rows) * h * 2, wb = size_t(kRank) * h * 2, vb = size_t(rows) * kRank * 4;
    const int sets = 32;
    const BufferSets mem(sets, xb, wb, vb);
    const std::vector<Set> all = mem.as<Set>();
    const double mb = (3.0 * xb + 2.0 * wb) / 1e6;  // x, y read and written, A, B: as DESIGN.md counts the floor
    printf("%6d %6d %6d %6d %8.1f %8.2f %s", rows, h, groups, blocks, mb, mb / 4.2e6 * 1e6, pdl ? "pdl  " : "plain");
    for (int form = kBarrier; form <= kL2; ++form) {
      if (form == kEarly && !early_ok) { printf(" %s=n/a", names[form]); continue; }
      const double us = replay.us(sets, [&](int i) {
        ProbeLaunch l(dim3(blocks), dim3(kThreads), stream, pdl);
        cudaLaunchKernelEx(&l.config, probe, all[i], counter, rows, h, groups, static_cast<Form>(form));
      });
      printf(" %s=%.2f", names[form], us);
    }
    printf("\n");
  }
  const cudaError_t err = cudaDeviceSynchronize();
  printf("status: %s\n", cudaGetErrorString(err));
  return err == cudaSuccess ? 0 : 1;
}
