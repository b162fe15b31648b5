// How fast the GPU streams y += x over a matrix of rows when each request burst covers only a piece of each row
// (benchmarks/NOTES.md, entry 55). The prefill kernel reads x, y and A a 256- or 512-byte piece of a row at a
// time, 64 rows 8 KB apart; a copy reads contiguous bytes. Here every block holds the same bytes in flight (128 KB
// of x and 128 KB of y: 8 16-byte loads of each a thread) and only the shape of a round changes: a box of
// 131072 / P rows by P bytes of each row. Boxes are numbered along the rows first, block b takes boxes b, b + G...
//
// A second form copies 64-row boxes of 256 bytes a row (the prefill kernel's 64-row tile and 128-column stage) into
// shared memory with cp.async (LDGSTS, as the prefill kernel's producers) through kStages stages, the copies issued
// by the first `copy_warps` warps only (the prefill kernel has 2), and y += x from shared memory by every thread.
//
//   nvcc -O3 -arch=sm_90 -o stream_probe stream_probe.cu && ./stream_probe [rows] [row_bytes]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

constexpr int kThreads = 1024;
constexpr int kLoads = 8;                               // 16-byte loads of x (and of y) in flight a thread
constexpr int kBoxBytes = kThreads * kLoads * 16;       // 128 KB of x a round

__device__ uint4 add(uint4 a, uint4 b) {
  const __nv_bfloat162* pa = reinterpret_cast<const __nv_bfloat162*>(&a);
  const __nv_bfloat162* pb = reinterpret_cast<const __nv_bfloat162*>(&b);
  uint4 r;
  __nv_bfloat162* pr = reinterpret_cast<__nv_bfloat162*>(&r);
  for (int i = 0; i < 4; ++i) pr[i] = __hadd2(pa[i], pb[i]);
  return r;
}

__global__ void __launch_bounds__(kThreads, 1)
stream_boxes(const char* x, char* y, long rows, long row_bytes, int piece) {
  const long box_rows = kBoxBytes / piece;
  const long per_strip = row_bytes / piece;
  const long boxes = rows / box_rows * per_strip;
  const int vec_per_row = piece / 16;
  for (long box = blockIdx.x; box < boxes; box += gridDim.x) {
    const long row0 = box / per_strip * box_rows;
    const long col0 = box % per_strip * piece;
    uint4 xv[kLoads], yv[kLoads];
    long off[kLoads];
#pragma unroll
    for (int i = 0; i < kLoads; ++i) {
      const int v = i * kThreads + threadIdx.x;  // consecutive threads take consecutive 16 bytes of a row
      off[i] = (row0 + v / vec_per_row) * row_bytes + col0 + 16 * (v % vec_per_row);
      xv[i] = __ldcg(reinterpret_cast<const uint4*>(x + off[i]));
      yv[i] = __ldcg(reinterpret_cast<const uint4*>(y + off[i]));
    }
#pragma unroll
    for (int i = 0; i < kLoads; ++i) __stcg(reinterpret_cast<uint4*>(y + off[i]), add(xv[i], yv[i]));
  }
}

constexpr int kTileRows = 64, kPiece = 256;                   // a box: 64 rows x 256 bytes of x and of y
constexpr int kBoxVectors = kTileRows * kPiece / 16;           // 1024 16-byte vectors of x (and of y)
constexpr int kStages = 6;                                     // 6 x 32 KB of x and y in flight a block

__device__ void copy16(uint32_t dst, const void* src) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(dst), "l"(src) : "memory");
}

__global__ void __launch_bounds__(kThreads, 1)
stream_staged(const char* x, char* y, long rows, long row_bytes, int copy_warps) {
  extern __shared__ uint4 stages[];  // kStages x (x's box, then y's box)
  const long per_strip = row_bytes / kPiece;
  const long boxes = rows / kTileRows * per_strip;
  const long mine = (boxes - blockIdx.x + gridDim.x - 1) / gridDim.x;
  auto offset = [&](long i, int v) {  // byte offset of vector v of this block's i-th box
    const long box = blockIdx.x + i * gridDim.x;
    return (box / per_strip * kTileRows + v / (kPiece / 16)) * row_bytes + box % per_strip * kPiece + 16 * (v % (kPiece / 16));
  };
  auto issue = [&](long i) {  // the copy warps copy box i into stage i % kStages
    if (i < mine && threadIdx.x < 32 * copy_warps) {
      uint4* stage = stages + i % kStages * 2 * kBoxVectors;
      for (int v = threadIdx.x; v < kBoxVectors; v += 32 * copy_warps) {
        const long off = offset(i, v);
        copy16(static_cast<uint32_t>(__cvta_generic_to_shared(stage + v)), x + off);
        copy16(static_cast<uint32_t>(__cvta_generic_to_shared(stage + kBoxVectors + v)), y + off);
      }
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
  };
  for (int s = 0; s < kStages - 1; ++s) issue(s);
  for (long i = 0; i < mine; ++i) {
    issue(i + kStages - 1);
    asm volatile("cp.async.wait_group %0;" :: "n"(kStages - 1) : "memory");
    __syncthreads();  // box i has landed, whoever copied it
    const uint4* stage = stages + i % kStages * 2 * kBoxVectors;
    const int v = threadIdx.x;  // one vector of the box a thread
    __stcg(reinterpret_cast<uint4*>(y + offset(i, v)), add(stage[v], stage[kBoxVectors + v]));
    __syncthreads();  // the stage is free for box i + kStages
  }
}

// The median of 21 launches' times, in microseconds.
template <class Launch>
double median_us(cudaEvent_t a, cudaEvent_t b, Launch launch) {
  std::vector<float> ms;
  for (int rep = 0; rep < 21; ++rep) {
    cudaEventRecord(a);
    launch();
    cudaEventRecord(b);
    cudaEventSynchronize(b);
    float t = 0;
    cudaEventElapsedTime(&t, a, b);
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  return 1e3 * ms[ms.size() / 2];
}

int main(int argc, char** argv) {
  const long rows = argc > 1 ? atol(argv[1]) : 16384, row_bytes = argc > 2 ? atol(argv[2]) : 8192;
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  char *x, *y;
  cudaMalloc(&x, rows * row_bytes);
  cudaMalloc(&y, rows * row_bytes);
  cudaMemset(x, 0, rows * row_bytes);
  cudaMemset(y, 0, rows * row_bytes);
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  printf("rows %ld, row bytes %ld, %d blocks of %d threads; y += x moves 3 x %.0f MB\n", rows, row_bytes, sms,
         kThreads, rows * row_bytes / 1e6);
  for (int piece = 256; piece <= row_bytes && piece <= kBoxBytes; piece *= 2) {
    if (rows % (kBoxBytes / piece) || row_bytes % piece) continue;  // whole boxes only
    const double us = median_us(a, b, [&] { stream_boxes<<<sms, kThreads>>>(x, y, rows, row_bytes, piece); });
    printf("piece %5d B x %4d rows: %8.1f us  %5.2f TB/s\n", piece, kBoxBytes / piece, us,
           3.0 * rows * row_bytes / us / 1e6);
  }
  const int smem = kStages * 2 * kBoxVectors * 16;
  cudaFuncSetAttribute(stream_staged, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  for (int copy_warps : {1, 2, 4, 8, 32}) {
    if (rows % kTileRows || row_bytes % kPiece) break;
    const double us = median_us(a, b, [&] {
      stream_staged<<<sms, kThreads, smem>>>(x, y, rows, row_bytes, copy_warps);
    });
    printf("cp.async, %d KB stages x %d, %2d copy warps: %8.1f us  %5.2f TB/s\n", 2 * kBoxVectors * 16 / 1024, kStages,
           copy_warps, us, 3.0 * rows * row_bytes / us / 1e6);
  }
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) { printf("CUDA error: %s\n", cudaGetErrorString(err)); return 1; }
  cudaMemcpy(x, y, rows * row_bytes, cudaMemcpyDeviceToDevice);  // the copy's rate for comparison
  cudaEventRecord(a);
  for (int rep = 0; rep < 10; ++rep) cudaMemcpy(x, y, rows * row_bytes, cudaMemcpyDeviceToDevice);
  cudaEventRecord(b);
  cudaEventSynchronize(b);
  float t = 0;
  cudaEventElapsedTime(&t, a, b);
  printf("cudaMemcpy device to device: %.2f TB/s (read + write)\n", 2.0 * rows * row_bytes * 10 / (1e3 * t) / 1e6);
  return 0;
}
