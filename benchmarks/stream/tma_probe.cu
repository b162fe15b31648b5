// staged_probe.cu's decomposition (benchmarks/NOTES.md, entries 124 and 126: 128 blocks in 8 row groups of 32 rows, a
// block one 1 / 16 share of h_in's and h_out's columns for every row of its group) with every operand asked for by
// tensor copies (TMA: cp.async.bulk.tensor.2d, a box of up to 256 x 256 elements an instruction, from a tensor map
// made once a buffer set on the host), and A's and B's shares, which the 8 groups of a column share all read, asked
// for once a cluster and multicast to its blocks (.multicast::cluster): clusters of C consecutive row groups of one
// column share, block k of a cluster asking for the k-th 1 / C of A's rows and of B's rows for all C blocks. With
// C 1 no cluster and no multicast. No math; loads feed a checksum (NOTES.md, entry 376).
// Forms, each one launch, timed as the bench times add_lora (graph_replay.cuh: 32 cold sets, median of 15; PDL):
//   copy    : x and A (one mbarrier), y and B (another) asked for at the start, y written back: the bytes
//   barrier : x and A land, the block's partial v added into v, thread 0 arrives (release) at the grid barrier and
//             waits; v read, y and B (landed) read, y written. The arrival's MEMBAR may wait for the copies still in
//             flight (entries 74-75: bulk copies too)
//   hybrid_copy, hybrid_barrier : the fused kernel's own paths for the rows (x loaded by every thread into registers,
//             y copied by every thread's 16-byte cp.async into shared memory) with the weights by tensor copies
//             (multicast where C > 1): what multicast weights would give the fused kernel's grid handoff
// The grid barrier's arrivals as staged_probe's (probe_util.cuh); the smaller shapes of 64 rows are not here.
//
//   nvcc -O3 -std=c++17 -gencode arch=compute_90a,code=sm_90a -o tma_probe tma_probe.cu && ./tma_probe
#include <cstdint>
#include <cstdio>
#include <vector>

#include <cuda.h>
#include <cudaTypedefs.h>
#include <cuda_runtime.h>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

constexpr int kBlocks = 128;
constexpr int kThreads = 256;
constexpr int kGroups = 8;
constexpr int kGroupRows = 32;
constexpr int kRows = kGroups * kGroupRows;
constexpr int kSplits = kBlocks / kGroups;  // blocks a group: column shares

enum Form { kCopy, kBarrier, kHybridCopy, kHybridBarrier };

struct Set {
  const uint16_t *x, *a, *b;
  uint16_t* y;
  float* v;
};

struct Maps {  // one buffer set's tensor maps (x [rows][h], A [r][h], B [h][r], y [rows][h])
  CUtensorMap x, a, b, y;
};

// One box of `map` at element coordinates (c0 inner, c1 outer) into this block's shared `dst`, completing on `bar`;
// with `mask` (kC > 1) into the same offsets of every block of the cluster in the mask, on each one's `bar`.
template <int kC>
__device__ inline void tensor_copy(void* dst, const CUtensorMap* map, int c0, int c1, uint64_t* bar,
                                   uint16_t mask = 0) {
  if constexpr (kC > 1)
    asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster"
                 " [%0], [%1, {%2, %3}], [%4], %5;"
                 :: "r"(smem_addr(dst)), "l"(map), "r"(c0), "r"(c1), "r"(smem_addr(bar)), "h"(mask) : "memory");
  else
    asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes"
                 " [%0], [%1, {%2, %3}], [%4];"
                 :: "r"(smem_addr(dst)), "l"(map), "r"(c0), "r"(c1), "r"(smem_addr(bar)) : "memory");
}

__device__ inline void cluster_sync_all() {
  asm volatile("barrier.cluster.arrive.aligned;\n\tbarrier.cluster.wait.aligned;" ::: "memory");
}

// The boxes of a shape: kCols columns of h a block (x, A, y in kBoxes boxes of kBox columns), A's and B's rows a
// block asks for (kARows, kBRows: 1 / kC of them), B's in boxes of kBBox rows.
template <int kRank, int kH, int kC>
struct Boxes {
  static constexpr int kCols = kH / kSplits;
  static constexpr int kBox = kCols < 256 ? kCols : 256;
  static constexpr int kBoxes = kCols / kBox;
  static constexpr int kARows = kRank / kC;
  static constexpr int kBRows = kCols / kC;
  static constexpr int kBBox = kBRows < 256 ? kBRows : 256;
  static constexpr int kXBytes = kGroupRows * kCols * 2, kABytes = kRank * kCols * 2, kBBytes = kCols * kRank * 2;
  static constexpr int kSmem = 2 * kXBytes + kABytes + kBBytes + 16;
  static_assert(kARows >= 1 && kBRows % kBBox == 0 && kCols % kBox == 0, "the shares split into whole boxes");
};

template <int kRank, int kH, int kC>
__global__ void __launch_bounds__(kThreads, 1) probe(const __grid_constant__ Maps maps, Set s, unsigned* counter,
                                                     Form form) {
  using B = Boxes<kRank, kH, kC>;
  extern __shared__ __align__(128) unsigned char smem[];
  unsigned char* sx = smem;               // [kBoxes][kGroupRows][kBox]
  unsigned char* sa = sx + B::kXBytes;    // [kBoxes][kRank][kBox]
  unsigned char* sb = sa + B::kABytes;    // [kCols][kRank]: B's rows of the share
  unsigned char* sy = sb + B::kBBytes;    // [kBoxes][kGroupRows][kBox]
  uint64_t* bars = reinterpret_cast<uint64_t*>(sy + B::kXBytes);  // x and A landed, y and B landed
  __shared__ uint32_t found_shared;
  const int g = blockIdx.x % kGroups, sp = blockIdx.x / kGroups;
  const int me = g % kC;  // the block's rank in its cluster (kC consecutive blocks along x)
  const int row0 = g * kGroupRows, col0 = sp * B::kCols;
  const bool hybrid = form == kHybridCopy || form == kHybridBarrier;
  if (threadIdx.x == 0) {
    for (int i = 0; i < 2; ++i) asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" :: "r"(smem_addr(&bars[i])));
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  if constexpr (kC > 1)
    cluster_sync_all();  // every block's barriers are ready before any block's multicast may complete on them
  else
    __syncthreads();
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  if (threadIdx.x == 0) {
    asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(found_shared) : "l"(counter) : "memory");
    expect_bytes(&bars[0], (hybrid ? 0 : B::kXBytes) + B::kABytes);
    expect_bytes(&bars[1], B::kBBytes + (hybrid ? 0 : B::kXBytes));
    const uint16_t all = static_cast<uint16_t>((1u << kC) - 1);
    for (int j = 0; j < B::kBoxes && !hybrid; ++j)
      tensor_copy<1>(sx + j * kGroupRows * B::kBox * 2, &maps.x, col0 + j * B::kBox, row0, &bars[0]);
    for (int j = 0; j < B::kBoxes; ++j)
      tensor_copy<kC>(sa + (j * kRank + me * B::kARows) * B::kBox * 2, &maps.a, col0 + j * B::kBox, me * B::kARows,
                      &bars[0], all);
    for (int i = 0; i < B::kBRows; i += B::kBBox) {
      const int n = me * B::kBRows + i;  // B's row in the share
      tensor_copy<kC>(sb + n * kRank * 2, &maps.b, 0, col0 + n, &bars[1], all);
    }
    for (int j = 0; j < B::kBoxes && !hybrid; ++j)
      tensor_copy<1>(sy + j * kGroupRows * B::kBox * 2, &maps.y, col0 + j * B::kBox, row0, &bars[1]);
  }
  constexpr int kVecs = B::kCols / 8, kBoxRowVecs = B::kBox / 8;  // 16-byte vectors of a row's share, of a box's row
  constexpr int kBoxVecs = kGroupRows * kBoxRowVecs;                  // 16-byte vectors of a box of x or y
  constexpr int kHeld = kGroupRows * kVecs / kThreads;
  static_assert(kGroupRows * kVecs % kThreads == 0, "whole rounds of x's vectors");
  uint4 held[kHeld];
  if (hybrid) {  // x into registers, then y by cp.async into sy's box layout, each thread its own pieces
#pragma unroll
    for (int j = 0; j < kHeld; ++j) {
      const int i = threadIdx.x + j * kThreads;
      held[j] = __ldcg(reinterpret_cast<const uint4*>(s.x + static_cast<int64_t>(row0 + i / kVecs) * kH + col0) +
                       i % kVecs);
    }
    for (int i = threadIdx.x; i < kGroupRows * kVecs; i += kThreads) {
      const int r = i / kVecs, c = i % kVecs;
      const int dst = c / kBoxRowVecs * kBoxVecs + r * kBoxRowVecs + c % kBoxRowVecs;
      asm volatile("cp.async.cg.shared.global [%0], [%1], 16;"
                   :: "r"(smem_addr(sy + 16 * dst)), "l"(s.y + static_cast<int64_t>(row0 + r) * kH + col0 + 8 * c)
                   : "memory");
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
  }
  wait_phase0(&bars[0]);
  uint32_t sum = 0;
  if (hybrid) {
#pragma unroll
    for (int j = 0; j < kHeld; ++j) sum ^= fold(held[j]);
    sum ^= fold_all<kThreads>(sa, B::kABytes);
  } else {
    sum = fold_all<kThreads>(sx, B::kXBytes + B::kABytes);  // x and A
  }
  if (form == kBarrier || form == kHybridBarrier)
    sum = sum_v_at_barrier<kThreads, kRank, kGroupRows>(s.v + static_cast<int64_t>(row0) * kRank, counter,
                                                        found_shared, kBlocks, sum, false, [] {});
  if (hybrid) {
    asm volatile("cp.async.wait_all;" ::: "memory");
    __syncthreads();  // every thread's pieces of y have landed
  }
  wait_phase0(&bars[1]);
  sum ^= fold_all<kThreads>(sb, B::kBBytes);
  for (int i = threadIdx.x; i < B::kBoxes * kBoxVecs; i += kThreads) {
    const int j = i / kBoxVecs, r = i % kBoxVecs / kBoxRowVecs, c = i % kBoxRowVecs;
    uint4 q = reinterpret_cast<const uint4*>(sy)[i];
    q.x ^= sum & 1;
    __stcg(reinterpret_cast<uint4*>(s.y + static_cast<int64_t>(row0 + r) * kH + col0 + j * B::kBox) + c, q);
  }
  if constexpr (kC > 1) cluster_sync_all();  // no block exits while its multicast copies may still be in flight
}

// Host: a 2-D tensor map of 16-bit elements, `inner` x `outer` (rows of `inner`), in boxes of box_inner x box_outer.
CUtensorMap tensor_map(PFN_cuTensorMapEncodeTiled_v12000 encode, const void* base, int inner, int outer, int box_inner,
                       int box_outer) {
  CUtensorMap map;
  const cuuint64_t dims[2] = {cuuint64_t(inner), cuuint64_t(outer)};
  const cuuint64_t strides[1] = {cuuint64_t(inner) * 2};
  const cuuint32_t box[2] = {cuuint32_t(box_inner), cuuint32_t(box_outer)};
  const cuuint32_t elem_strides[2] = {1, 1};
  const CUresult r = encode(&map, CU_TENSOR_MAP_DATA_TYPE_UINT16, 2, const_cast<void*>(base), dims, strides, box,
                            elem_strides, CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_NONE,
                            CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) printf("cuTensorMapEncodeTiled: error %d\n", static_cast<int>(r));
  return map;
}

template <int kRank, int kH, int kC>
void run_shape(PFN_cuTensorMapEncodeTiled_v12000 encode, const ReplayStream& replay, unsigned* counter) {
  using B = Boxes<kRank, kH, kC>;
  auto* kernel = probe<kRank, kH, kC>;
  const size_t xb = size_t(kRows) * kH * 2, wb = size_t(kRank) * kH * 2, vb = size_t(kRows) * kRank * 4;
  const double mb = (3.0 * xb + 2.0 * wb) / 1e6;
  printf("%5d %6d %5d %3d %7.1f %7.1f %8.2f", kRows, kH, kRank, kC, B::kSmem / 1024.0, mb, mb / 4.2e6 * 1e6);
  cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, B::kSmem);
  if (kC > 1) {
    const ProbeLaunch l(dim3(kBlocks), dim3(kThreads), replay.stream, true, kC, B::kSmem);
    int clusters = -1;
    cudaOccupancyMaxActiveClusters(&clusters, kernel, &l.config);
    printf(" %8d", clusters);  // fewer than kBlocks / kC: the launch runs in waves
  } else {
    printf(" %8s", "-");
  }
  cudaMemset(counter, 0, 128);
  const int sets = 32;
  const BufferSets mem(sets, xb, wb, vb);
  const std::vector<Set> all = mem.as<Set>();
  std::vector<Maps> maps;
  for (const Set& s : all)
    maps.push_back(Maps{tensor_map(encode, s.x, kH, kRows, B::kBox, kGroupRows),
                        tensor_map(encode, s.a, kH, kRank, B::kBox, B::kARows),
                        tensor_map(encode, s.b, kRank, kH, kRank, B::kBBox),
                        tensor_map(encode, s.y, kH, kRows, B::kBox, kGroupRows)});
  const char* names[] = {"copy", "barrier", "hybrid_copy", "hybrid_barrier"};
  for (int form = kCopy; form <= kHybridBarrier; ++form) {
    const double us = replay.us(sets, [&](int i) {
      const ProbeLaunch l(dim3(kBlocks), dim3(kThreads), replay.stream, true, kC > 1 ? kC : 0, B::kSmem);
      cudaLaunchKernelEx(&l.config, kernel, maps[i], all[i], counter, static_cast<Form>(form));
    });
    printf(" %s=%.2f", names[form], us);
  }
  const cudaError_t err = cudaDeviceSynchronize();
  printf(" (%s%s)\n", cudaGetErrorString(err), take_timeouts() ? ", WAITS TIMED OUT" : "");
}

int main() {
  if (!every_block_fits(kBlocks)) return 1;
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult found;
  if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &fn, 12000, cudaEnableDefault, &found) !=
          cudaSuccess || found != cudaDriverEntryPointSuccess) {
    printf("no cuTensorMapEncodeTiled\n");
    return 1;
  }
  const auto encode = reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(fn);
  unsigned* counter;
  cudaMalloc(&counter, 128);
  const ReplayStream replay;
  printf("%5s %6s %5s %3s %7s %7s %8s %8s  us per launch (PDL; median of 15 graph replays of 32 launches, cold sets)\n",
         "rows", "h", "rank", "C", "smemKB", "MB", "floorus", "clusters");
  run_shape<64, 8192, 1>(encode, replay, counter);
  run_shape<64, 8192, 2>(encode, replay, counter);
  run_shape<64, 8192, 4>(encode, replay, counter);
  run_shape<64, 8192, 8>(encode, replay, counter);
  run_shape<64, 4096, 1>(encode, replay, counter);
  run_shape<64, 4096, 4>(encode, replay, counter);
  run_shape<64, 4096, 8>(encode, replay, counter);
  run_shape<16, 8192, 1>(encode, replay, counter);
  run_shape<16, 8192, 8>(encode, replay, counter);
  return 0;
}
