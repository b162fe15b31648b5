// r16 distinct add_lora (every row its own adapter, bf16) with the weights walked in flat order (NOTES.md, entry 247):
// pattern_probe found A and B read at a copy's rate when the blocks in flight read neighbouring bytes, and 20-25%
// slower when each block walks its own adapter. Two launches, the second a programmatic dependent launch:
//   shrink: unit u = (adapter l, rank r) = u / 16, u % 16 in order, warp w of W takes units w, w + W, ...: the dot
//           of x's row l with A[l, r, :] (one contiguous row of A), warp-reduced, into v[l, r] (float32);
//   expand: unit u = (l, 256 output columns c) in order, warps as above: lane i's 8 rows of B[l] (256 contiguous
//           bytes) and its 8 values of y are loaded before the wait for the shrink (they do not depend on v),
//           then y[l, 8 columns] += scale * B[l, rows, :] v[l].
// So the warps in flight always read neighbouring parts of A (then of B), as a copy does. Checked against a float64
// host reference on random data, then timed as the bench times add_lora (a CUDA graph of one pair a cold buffer
// set, >= 512 MB, median of 15 replays).
//
//   nvcc -O3 -std=c++17 -arch=sm_90a -o /tmp/flat_probe flat_probe.cu && /tmp/flat_probe
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include <cuda_bf16.h>

#include "../graph_replay.cuh"
#include "probe_util.cuh"

constexpr int kRank = 16;
constexpr int kWarps = 8;
constexpr float kScale = 0.5f;

// Read once: not kept in L1. Not volatile: free to move among the other loads (the expand issues its B loads before
// the PDL wait on purpose and reads nothing the shrink writes through them).
__device__ __forceinline__ uint4 stream16(const void* p) {
  uint4 q;
  asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
      : "=r"(q.x), "=r"(q.y), "=r"(q.z), "=r"(q.w) : "l"(p));
  return q;
}

// The shrink's loads, volatile so that the compiler keeps them in order ahead of hold. That order holds in the PTX
// only: ptxas still moved FMAs in among the loads (2-4 in flight a thread, entry 247); the timings are this code's.
__device__ __forceinline__ uint4 ordered16(const void* p, bool keep_in_l1) {
  uint4 q;
  if (keep_in_l1)
    asm volatile("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(q.x), "=r"(q.y), "=r"(q.z), "=r"(q.w) : "l"(p));
  else
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(q.x), "=r"(q.y), "=r"(q.z), "=r"(q.w) : "l"(p));
  return q;
}
__device__ __forceinline__ uint4 cached16(const void* p) { return ordered16(p, true); }
// An empty volatile asm that "changes" q, meant to put every use of q after every load of the round (see above: it
// emits nothing, and ptxas schedules the SASS as it likes).
__device__ __forceinline__ void hold(uint4& q) { asm volatile("" : "+r"(q.x), "+r"(q.y), "+r"(q.z), "+r"(q.w)); }

__device__ __forceinline__ float2 bf2(uint32_t u) {
  return make_float2(__uint_as_float(u << 16), __uint_as_float(u & 0xffff0000u));
}

__device__ __forceinline__ float dot8(uint4 a, uint4 b) {
  const uint32_t wa[4] = {a.x, a.y, a.z, a.w}, wb[4] = {b.x, b.y, b.z, b.w};
  float acc = 0.f;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 fa = bf2(wa[i]), fb = bf2(wb[i]);
    acc = fmaf(fa.x, fb.x, fmaf(fa.y, fb.y, acc));
  }
  return acc;
}

template <int kDepth>
__global__ void __launch_bounds__(kWarps * 32) shrink_flat(const uint4* x, const uint4* a, float* v, int adapters,
                                                           int h) {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");  // the expand may start loading B now
  const int lane = threadIdx.x % 32;
  const long warps = long(gridDim.x) * kWarps;
  const int vecs = h / 8;  // 16-byte vectors a row
  for (long u = long(blockIdx.x) * kWarps + threadIdx.x / 32; u < long(adapters) * kRank; u += warps) {
    const uint4* ar = a + u * vecs;
    const uint4* xr = x + (u / kRank) * vecs;
    float acc = 0.f;
    for (int k0 = lane; k0 < vecs; k0 += 32 * kDepth) {
      uint4 qa[kDepth], qx[kDepth];
#pragma unroll
      for (int i = 0; i < kDepth; ++i) {
        qa[i] = ordered16(ar + k0 + 32 * i, false);  // h a multiple of 256 kDepth
        qx[i] = cached16(xr + k0 + 32 * i);
      }
#pragma unroll
      for (int i = 0; i < kDepth; ++i) {  // meant to issue every load before any FMA; ptxas did not keep to it
        hold(qa[i]);
        hold(qx[i]);
      }
#pragma unroll
      for (int i = 0; i < kDepth; ++i) acc += dot8(qa[i], qx[i]);
    }
#pragma unroll
    for (int off = 16; off > 0; off /= 2) acc += __shfl_xor_sync(0xffffffffu, acc, off);
    if (lane == 0) v[u] = acc;
  }
}

__global__ void __launch_bounds__(kWarps * 32) expand_flat(const uint4* b, const float* v, uint4* y, int adapters,
                                                           int h) {
  const int lane = threadIdx.x % 32;
  const long warps = long(gridDim.x) * kWarps;
  const int chunks = h / 256;  // units an adapter
  const long units = long(adapters) * chunks;
  long u = long(blockIdx.x) * kWarps + threadIdx.x / 32;
  uint4 qb[16], qy = {};
  auto issue = [&](long unit) {  // lane's 8 rows of B (2 vectors each) and 8 values of y
    const long l = unit / chunks, c = unit % chunks;
    const uint4* br = b + (l * h + c * 256 + lane * 8) * 2;
#pragma unroll
    for (int i = 0; i < 16; ++i) qb[i] = stream16(br + i);
    qy = __ldcg(y + (l * h + c * 256 + lane * 8) / 8);
  };
  if (u < units) issue(u);
  asm volatile("griddepcontrol.wait;" ::: "memory");
  for (; u < units; u += warps) {
    const long l = u / chunks, c = u % chunks;
    float vr[kRank];
#pragma unroll
    for (int r = 0; r < kRank; r += 4) {
      const float4 f = __ldcg(reinterpret_cast<const float4*>(v + l * kRank + r));
      vr[r] = f.x, vr[r + 1] = f.y, vr[r + 2] = f.z, vr[r + 3] = f.w;
    }
    const uint32_t wy[4] = {qy.x, qy.y, qy.z, qy.w};
    uint32_t out[4];
#pragma unroll
    for (int j = 0; j < 8; j += 2) {
      float d[2];
#pragma unroll
      for (int jj = 0; jj < 2; ++jj) {
        const uint4 lo = qb[2 * (j + jj)], hi = qb[2 * (j + jj) + 1];
        const uint32_t w[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
        float acc = 0.f;
#pragma unroll
        for (int r = 0; r < 8; ++r) {
          const float2 f = bf2(w[r]);
          acc = fmaf(f.x, vr[2 * r], fmaf(f.y, vr[2 * r + 1], acc));
        }
        d[jj] = acc;
      }
      const float2 old = bf2(wy[j / 2]);
      const __nv_bfloat162 o = __floats2bfloat162_rn(old.x + kScale * d[0], old.y + kScale * d[1]);
      out[j / 2] = *reinterpret_cast<const uint32_t*>(&o);
    }
    y[(l * h + c * 256 + lane * 8) / 8] = uint4{out[0], out[1], out[2], out[3]};
    if (u + warps < units) issue(u + warps);
  }
}

struct Pair {
  int shrink_blocks, expand_blocks, depth;
};

void launch_pair(cudaStream_t s, const Pair& p, const void* x, const void* a, const void* b, float* v, void* y,
                 int adapters, int h) {
  ProbeLaunch ls(dim3(p.shrink_blocks), dim3(kWarps * 32), s, false);
  ProbeLaunch le(dim3(p.expand_blocks), dim3(kWarps * 32), s, true);
  auto* x4 = static_cast<const uint4*>(x);
  auto* a4 = static_cast<const uint4*>(a);
  if (p.depth == 4) cudaLaunchKernelEx(&ls.config, shrink_flat<4>, x4, a4, v, adapters, h);
  else if (p.depth == 8) cudaLaunchKernelEx(&ls.config, shrink_flat<8>, x4, a4, v, adapters, h);
  else cudaLaunchKernelEx(&ls.config, shrink_flat<16>, x4, a4, v, adapters, h);
  cudaLaunchKernelEx(&le.config, expand_flat, static_cast<const uint4*>(b), static_cast<const float*>(v),
                     static_cast<uint4*>(y), adapters, h);
}

float bf_to_float(__nv_bfloat16 b) { return __bfloat162float(b); }

// One pair on random data against a float64 host reference: the largest error relative to the delta's scale.
double check(const Pair& p, int adapters, int h, cudaStream_t s) {
  std::mt19937 rng(7);
  std::normal_distribution<float> nd;
  auto fill = [&](size_t n, float std) {
    std::vector<__nv_bfloat16> out(n);
    for (auto& e : out) e = __float2bfloat16(nd(rng) * std);
    return out;
  };
  const size_t rows = adapters, w = size_t(adapters) * kRank * h;
  auto hx = fill(rows * h, 1.f), hy = fill(rows * h, 1.f), ha = fill(w, 1.f / std::sqrt(float(h))),
       hb = fill(w, 0.25f);
  void *x, *y, *a, *b;
  float* v;
  cudaMalloc(&x, rows * h * 2), cudaMalloc(&y, rows * h * 2), cudaMalloc(&a, w * 2), cudaMalloc(&b, w * 2);
  cudaMalloc(&v, rows * kRank * 4);
  cudaMemcpy(x, hx.data(), rows * h * 2, cudaMemcpyHostToDevice);
  cudaMemcpy(y, hy.data(), rows * h * 2, cudaMemcpyHostToDevice);
  cudaMemcpy(a, ha.data(), w * 2, cudaMemcpyHostToDevice);
  cudaMemcpy(b, hb.data(), w * 2, cudaMemcpyHostToDevice);
  cudaMemset(v, 0xff, rows * kRank * 4);  // NaN: a rank never written shows
  launch_pair(s, p, x, a, b, v, y, adapters, h);
  std::vector<__nv_bfloat16> got(rows * h);
  cudaMemcpy(got.data(), y, rows * h * 2, cudaMemcpyDeviceToHost);
  double worst = 0, scale = 0;
  std::vector<double> errs;
  for (size_t l = 0; l < rows; ++l) {
    double vv[kRank];
    for (int r = 0; r < kRank; ++r) {
      vv[r] = 0;
      for (int k = 0; k < h; ++k) vv[r] += double(bf_to_float(hx[l * h + k])) * bf_to_float(ha[(l * kRank + r) * h + k]);
    }
    for (int j = 0; j < h; ++j) {
      double d = 0;
      for (int r = 0; r < kRank; ++r) d += vv[r] * bf_to_float(hb[(l * h + j) * kRank + r]);
      const double want = bf_to_float(hy[l * h + j]) + kScale * d;
      const double err = std::fabs(double(bf_to_float(got[l * h + j])) - want);
      worst = std::max(worst, std::isnan(err) ? 1e30 : err);
      scale = std::max(scale, std::fabs(kScale * d));
    }
  }
  cudaFree(x), cudaFree(y), cudaFree(a), cudaFree(b), cudaFree(v);
  return worst / scale;
}

int main() {
  ReplayStream rs;
  struct Shape { int adapters, h; };
  const Pair pairs[] = {{264, 264, 4}, {528, 264, 4}, {1056, 264, 4}, {528, 528, 8}, {1056, 264, 16}, {528, 132, 8}};
  for (Shape s : {Shape{256, 4096}, Shape{64, 4096}, Shape{64, 8192}, Shape{256, 8192}, Shape{16, 4096},
                  Shape{16, 8192}}) {
    const size_t xb = size_t(s.adapters) * s.h * 2, wb = xb * kRank;
    const int sets = int((512u << 20) / (2 * wb + 2 * xb)) + 1;
    BufferSets bufs(sets, xb, wb, size_t(s.adapters) * kRank * 4);
    for (const Pair& p : pairs) {
      const double err = check(p, s.adapters, s.h, rs.stream);
      const double us = rs.us(sets, [&](int i) {
        launch_pair(rs.stream, p, bufs.x[i], bufs.a[i], bufs.b[i], static_cast<float*>(bufs.v[i]), bufs.y[i],
                    s.adapters, s.h);
      });
      printf("r16 distinct bs%-4d h%-5d shrink %3d blocks (depth %2d), expand %3d: %7.2f us  %5.2f TB/s  err %.1e\n",
             s.adapters, s.h, p.shrink_blocks, p.depth, p.expand_blocks, us, (2.0 * wb + 3.0 * xb) / us * 1e-6, err);
    }
  }
  const cudaError_t err = cudaDeviceSynchronize();
  printf("%s\n", cudaGetErrorString(err));
  return err != cudaSuccess;
}
