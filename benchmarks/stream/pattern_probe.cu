// Does the order in which blocks walk their adapters' weights set the rate at which the memory side serves r16
// distinct batches (NOTES.md, entry 247)? Reads only, no math: L adapters, A [L, r, h] and B [L, h, r] in bf16 as the
// bench lays them out, block b reads adapters b, b + G, ... in chunks of 256 columns: A's r pieces of 512 bytes
// (h * 2 bytes apart) and B's 256 rows of r (contiguous). The chunks of adapter l's A (n) then B (n) are a ring of
// 2n; the first four forms differ only in where on it a block starts, the others (entry 248) in how many blocks
// share an adapter's ring and which of its chunks each takes:
//   lockstep: chunk 0 (every block at the same offset of its adapter at the same time, as the kernels walk today);
//   rotated:  chunk (b * 5) mod 2n;
//   contig:   lockstep, but A read as B is: chunk c is 8 KB of contiguous bytes of the adapter's A;
//   flat:     the same bytes as one contiguous stream (A's then B's), block b taking 8 KB pieces b, b + G, ... as a
//             copy would;
//   halves:   pairs of blocks on an adapter (as the prefill kernel's clusters of two), each a contiguous half of A's
//             chunks and of B's (the kernel's share);
//   paired:   the same pairs, each every other chunk, so the two read neighbouring 512-byte pieces of A's rows;
//   quarters, eighths: as halves with 4 and 8 blocks on an adapter.
// Each thread keeps kRound chunks' loads in flight (2 16-byte loads a chunk at r16 with 256 threads). Timed as the
// bench times add_lora: a CUDA graph of one launch per buffer set (every set read from HBM), median of 15 replays.
//
//   nvcc -O3 -std=c++17 -arch=sm_90a -o /tmp/pattern_probe pattern_probe.cu && /tmp/pattern_probe [groups]
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

constexpr int kThreads = 256;
constexpr int kChunkCols = 256;

__device__ uint32_t g_sink;

constexpr int kRank = 16;
constexpr int kVectors = kRank * kChunkCols * 2 / 16;  // 16-byte loads a chunk: 512
constexpr int kPerThread = kVectors / kThreads;        // 2

template <int form, int kRound>
__global__ void __launch_bounds__(kThreads) read_adapters(const char* a, const char* b, int adapters, int h) {
  const int rank = kRank;
  const int n = h / kChunkCols;                       // chunks of A (and of B) an adapter
  const long adapter_bytes = long(rank) * h * 2;
  constexpr int vectors = kVectors;
  uint32_t sum = 0;
  if constexpr (form == 2) {
    const long pieces = 2L * adapters * adapter_bytes / (vectors * 16);
    for (long p0 = blockIdx.x; p0 < pieces; p0 += long(gridDim.x) * kRound) {
      uint4 q[kRound][kPerThread];
#pragma unroll
      for (int i = 0; i < kRound; ++i) {
        const long p = p0 + long(i) * gridDim.x;
#pragma unroll
        for (int j = 0; j < kPerThread; ++j) {
          const int v = j * kThreads + threadIdx.x;
          const long off = p * vectors * 16 + 16L * v;
          const char* src = off < adapters * adapter_bytes ? a + off : b + (off - adapters * adapter_bytes);
          q[i][j] = p < pieces ? __ldcg(reinterpret_cast<const uint4*>(src)) : uint4{};
        }
      }
#pragma unroll
      for (int i = 0; i < kRound; ++i)
#pragma unroll
        for (int j = 0; j < kPerThread; ++j) sum ^= fold(q[i][j]);
    }
  } else if constexpr (form >= 4) {
    // Groups of S blocks on one adapter, as the prefill kernel's clusters: each block reads 2n / S of the ring's chunks, a contiguous S-th of A's and of B's (halves, quarters, eighths: S = 2, 4, 8), or for
    // S = 2 every other chunk (paired: the two read neighbouring 512-byte pieces of A's rows at about the same time).
    constexpr int S = form == 6 ? 4 : form == 7 ? 8 : 2;
    const int p = blockIdx.x % S;
    const int groups = gridDim.x / S;
    const int part = n / S;  // chunks of A (and of B) a block
    for (int l = blockIdx.x / S; l < adapters && blockIdx.x < S * groups; l += groups) {
      const char* al = a + l * adapter_bytes;
      const char* bl = b + l * adapter_bytes;
      for (int c0 = 0; c0 < 2 * part; c0 += kRound) {
        uint4 q[kRound][kPerThread];
#pragma unroll
        for (int i = 0; i < kRound; ++i) {
          const int k = c0 + i;  // this block's k-th chunk
          const int c = form != 5 ? (k < part ? p * part + k : n + p * part + (k - part))
                                  : (k < part ? 2 * k + p : n + 2 * (k - part) + p);
#pragma unroll
          for (int j = 0; j < kPerThread; ++j) {
            const int v = j * kThreads + threadIdx.x;
            const char* src = c < n ? al + long(v / 32) * h * 2 + c * kChunkCols * 2 + 16 * (v % 32)
                                    : bl + long(c - n) * kChunkCols * rank * 2 + 16L * v;
            q[i][j] = k < 2 * part ? __ldcg(reinterpret_cast<const uint4*>(src)) : uint4{};
          }
        }
#pragma unroll
        for (int i = 0; i < kRound; ++i)
#pragma unroll
          for (int j = 0; j < kPerThread; ++j) sum ^= fold(q[i][j]);
      }
    }
  } else {
    for (int l = blockIdx.x; l < adapters; l += gridDim.x) {
      const char* al = a + l * adapter_bytes;
      const char* bl = b + l * adapter_bytes;
      const int start = form == 1 ? (blockIdx.x * 5) % (2 * n) : 0;
      for (int c0 = 0; c0 < 2 * n; c0 += kRound) {
        uint4 q[kRound][kPerThread];
#pragma unroll
        for (int i = 0; i < kRound; ++i) {
          const int c = (start + c0 + i) % (2 * n);
#pragma unroll
          for (int j = 0; j < kPerThread; ++j) {
            const int v = j * kThreads + threadIdx.x;
            const char* src;
            if constexpr (form == 3) {  // A and B alike: chunk c is 8 KB of contiguous bytes of A, then of B
              src = (c < n ? al + long(c) * vectors * 16 : bl + long(c - n) * vectors * 16) + 16L * v;
            } else if (c < n) {  // A: vector v is rank row v / 32's 16 bytes (v % 32) of columns [256c, 256c + 256)
              src = al + long(v / 32) * h * 2 + c * kChunkCols * 2 + 16 * (v % 32);
            } else {             // B: rows [256(c - n), ...) of r values each, contiguous
              src = bl + long(c - n) * kChunkCols * rank * 2 + 16L * v;
            }
            q[i][j] = c0 + i < 2 * n ? __ldcg(reinterpret_cast<const uint4*>(src)) : uint4{};
          }
        }
#pragma unroll
        for (int i = 0; i < kRound; ++i)
#pragma unroll
          for (int j = 0; j < kPerThread; ++j) sum ^= fold(q[i][j]);
      }
    }
  }
  if (sum == 0x12345678u) g_sink = sum;  // keeps the loads
}

template <int form, int kRound>
void launch_form(const ProbeLaunch& pl, const char* a, const char* b, int adapters, int h) {
  cudaLaunchKernelEx(&pl.config, read_adapters<form, kRound>, a, b, adapters, h);
}

template <int kRound>
void launch_any(int form, const ProbeLaunch& pl, const char* a, const char* b, int adapters, int h) {
  switch (form) {
    case 0: return launch_form<0, kRound>(pl, a, b, adapters, h);
    case 1: return launch_form<1, kRound>(pl, a, b, adapters, h);
    case 2: return launch_form<2, kRound>(pl, a, b, adapters, h);
    case 3: return launch_form<3, kRound>(pl, a, b, adapters, h);
    case 4: return launch_form<4, kRound>(pl, a, b, adapters, h);
    case 5: return launch_form<5, kRound>(pl, a, b, adapters, h);
    case 6: return launch_form<6, kRound>(pl, a, b, adapters, h);
    default: return launch_form<7, kRound>(pl, a, b, adapters, h);
  }
}

int main(int argc, char** argv) {
  // `groups` (entry 248): S blocks an adapter (lockstep S = 1, halves 2, quarters 4, eighths 8) at grids of L, 2L
  // and 4L blocks; else every form at grids of L, 264 and 2L.
  const bool groups = argc > 1 && std::string(argv[1]) == "groups";
  const std::vector<int> forms = groups ? std::vector<int>{0, 4, 6, 7} : std::vector<int>{0, 1, 2, 3, 4, 5};
  ReplayStream rs;
  const char* names[] = {"lockstep", "rotated", "flat", "contig", "halves", "paired", "quarters", "eighths"};
  struct Shape { int adapters, h; };
  for (Shape s : {Shape{256, 4096}, Shape{64, 8192}, Shape{256, 8192}, Shape{64, 4096}}) {
    const size_t wb = size_t(s.adapters) * kRank * s.h * 2;
    const int sets = int((512u << 20) / (2 * wb)) + 1;
    BufferSets bufs(sets, 16, wb, 0);
    const std::vector<int> grids = groups ? std::vector<int>{s.adapters, 2 * s.adapters, 4 * s.adapters}
                                          : std::vector<int>{s.adapters, 264, 2 * s.adapters};
    for (int grid : grids) {
      for (int form : forms) {
        for (int round : {2, 4, 8}) {
          auto launch = [&](int i) {
            ProbeLaunch pl(dim3(grid), dim3(kThreads), rs.stream, false);
            auto* a = static_cast<const char*>(bufs.a[i]);
            auto* b = static_cast<const char*>(bufs.b[i]);
            if (round == 2) launch_any<2>(form, pl, a, b, s.adapters, s.h);
            else if (round == 4) launch_any<4>(form, pl, a, b, s.adapters, s.h);
            else launch_any<8>(form, pl, a, b, s.adapters, s.h);
          };
          const double us = rs.us(sets, launch);
          printf("L%-4d r%d h%-5d grid %-4d %-9s %2d loads a thread: %8.2f us  %5.2f TB/s\n", s.adapters, kRank,
                 s.h, grid, names[form], round * kPerThread, us, 2.0 * wb / us * 1e-6);
        }
      }
    }
  }
  const cudaError_t err = cudaDeviceSynchronize();
  printf("%s\n", cudaGetErrorString(err));
  return err != cudaSuccess;
}
