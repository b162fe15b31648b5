// What the data-movement probes of this folder share (handoff_probe, cluster_probe, pipeline_probe, staged_probe,
// tma_probe; README): checksums that keep loads alive, bulk copies and mbarriers, st.async pushes within a cluster, a
// row group's v summed at the grid barrier, whose counter flips as handoff.cuh flips it, and the buffer sets a probe
// cycles through so that every launch reads from HBM. Each probe is one translation unit, so the __device__ variable
// below is defined once.
#pragma once
#include <cstdint>
#include <cstdio>
#include <vector>

#include <cuda_runtime.h>

constexpr uint32_t kFlip = 0x80000000u;  // the counter's top bit flips once the last of a launch's arrivals is in

__device__ inline uint32_t fold(uint4 q) { return q.x ^ q.y ^ q.z ^ q.w; }
__device__ inline uint32_t fold(float4 f) {
  return __float_as_uint(f.x) ^ __float_as_uint(f.y) ^ __float_as_uint(f.z) ^ __float_as_uint(f.w);
}

__device__ inline uint32_t smem_addr(const void* p) { return static_cast<uint32_t>(__cvta_generic_to_shared(p)); }

// `bytes` from global `src` into this block's shared `dst` (cp.async.bulk), completing on the mbarrier `bar`.
__device__ inline void bulk_copy(void* dst, const void* src, int bytes, uint64_t* bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
               :: "r"(smem_addr(dst)), "l"(src), "r"(bytes), "r"(smem_addr(bar)) : "memory");
}

// This thread's arrival on `bar`, expecting `bytes` more of transactions in the phase.
__device__ inline void expect_bytes(uint64_t* bar, int bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" :: "r"(smem_addr(bar)), "r"(bytes)
               : "memory");
}

__device__ inline void wait_phase0(const uint64_t* bar) {
  uint32_t done = 0;
  do {
    asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], 0; selp.u32 %0, 1, 0, p; }"
                 : "=r"(done) : "r"(smem_addr(bar)) : "memory");
  } while (!done);
}

// Four floats into the shared memory of block `rank` of the cluster at this block's address `dst`, completing 16
// bytes on that block's mbarrier at this block's address `bar`.
__device__ inline void push4(const void* dst, const uint64_t* bar, int rank, float4 f) {
  uint32_t remote_dst, remote_bar;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote_dst) : "r"(smem_addr(dst)), "r"(rank));
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote_bar) : "r"(smem_addr(bar)), "r"(rank));
  asm volatile("st.async.shared::cluster.mbarrier::complete_tx::bytes.v4.f32 [%0], {%1, %2, %3, %4}, [%5];"
               :: "r"(remote_dst), "f"(f.x), "f"(f.y), "f"(f.z), "f"(f.w), "r"(remote_bar) : "memory");
}

// One of `arrivals` blocks arrives at `counter` (release, or relaxed: for scale only): the first adds
// kFlip - (arrivals - 1), the others 1, so the top bit flips when the last one has and the other bits stay.
__device__ inline void arrive(unsigned* counter, bool first, uint32_t arrivals, bool relaxed = false) {
  const uint32_t add = first ? kFlip - (arrivals - 1) : 1u;
  if (relaxed)
    asm volatile("red.relaxed.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
  else
    asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
}

__device__ unsigned g_timeouts;  // waits that gave up (wait_flip)

// Waits until the counter's top bit differs from `found`'s (the counter as the launch found it); after ~2^20 reads,
// or once any wait has given up, gives up and counts it (a bug must not hang the device call).
__device__ inline void wait_flip(const unsigned* counter, uint32_t found) {
  for (int spins = 0;; ++spins) {
    uint32_t now;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(now) : "l"(counter) : "memory");
    if ((now ^ found) & kFlip) return;
    if (spins > (1 << 20) || *static_cast<volatile unsigned*>(&g_timeouts) != 0) {
      atomicAdd(&g_timeouts, 1u);
      return;
    }
    __nanosleep(32);
  }
}

// The XOR of `bytes` of 16-byte vectors at p (shared or global), over the block's kThreads threads.
template <int kThreads>
__device__ uint32_t fold_all(const void* p, int bytes) {
  uint32_t sum = 0;
  for (int i = threadIdx.x; i < bytes / 16; i += kThreads) sum ^= fold(static_cast<const uint4*>(p)[i]);
  return sum;
}

// A row group's v (kGroupRows x kRank floats at v): this block's partial (from `sum`) added, the block's arrival at
// the grid barrier of `arrivals` blocks (`between` runs after it, before the wait), the wait for every block's, and v
// read back into the checksum. `found` (the counter as the launch found it) is read by thread 0 only, which wrote it.
template <int kThreads, int kRank, int kGroupRows, class Between>
__device__ uint32_t sum_v_at_barrier(float* v, unsigned* counter, const uint32_t& found, uint32_t arrivals,
                                     uint32_t sum, bool relaxed, Between between) {
  const float f = static_cast<float>(sum & 1);
  for (int q = threadIdx.x; q < kGroupRows * kRank / 4; q += kThreads)
    asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %1, %1, %1};" :: "l"(v + 4 * q), "f"(f) : "memory");
  __syncthreads();  // the block's additions are issued
  if (threadIdx.x == 0) arrive(counter, blockIdx.x == 0, arrivals, relaxed);
  between();
  if (threadIdx.x == 0) wait_flip(counter, found);
  __syncthreads();  // every block's additions are visible
  for (int q = threadIdx.x; q < kGroupRows * kRank / 4; q += kThreads)
    sum ^= fold(__ldcg(reinterpret_cast<const float4*>(v) + q));
  return sum;
}

// Host: whether the GPU has an SM for each of `blocks` blocks (a grid barrier needs them all at once); says so if not.
inline bool every_block_fits(int blocks) {
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  if (sms < blocks) printf("needs %d SMs (every block on the GPU at once), has %d\n", blocks, sms);
  return sms >= blocks;
}

// Host: the waits that gave up since the last call, and the count cleared.
inline unsigned take_timeouts() {
  unsigned timeouts = 0;
  const unsigned zero = 0;
  cudaMemcpyFromSymbol(&timeouts, g_timeouts, sizeof(timeouts));
  cudaMemcpyToSymbol(g_timeouts, &zero, sizeof(zero));
  return timeouts;
}

// Host: `count` buffer sets of add_lora's operands, x and y of xb bytes, A and B of wb, v of vb (none if 0), filled
// with the bytes 1, 2, 3, 4 and zero; freed with the object.
struct BufferSets {
  std::vector<void*> x, y, a, b, v;
  BufferSets(int count, size_t xb, size_t wb, size_t vb) {
    for (int i = 0; i < count; ++i) {
      x.push_back(filled(xb, 1));
      y.push_back(filled(xb, 2));
      a.push_back(filled(wb, 3));
      b.push_back(filled(wb, 4));
      v.push_back(vb ? filled(vb, 0) : nullptr);
    }
  }
  ~BufferSets() {
    for (auto* list : {&x, &y, &a, &b, &v})
      for (void* p : *list) cudaFree(p);
  }
  // The sets as a probe's Set {x, a, b, y, v}, each pointer cast to its member's type.
  template <class Set>
  std::vector<Set> as() const {
    std::vector<Set> sets;
    for (size_t i = 0; i < x.size(); ++i)
      sets.push_back(Set{static_cast<decltype(Set::x)>(x[i]), static_cast<decltype(Set::a)>(a[i]),
                         static_cast<decltype(Set::b)>(b[i]), static_cast<decltype(Set::y)>(y[i]),
                         static_cast<decltype(Set::v)>(v[i])});
    return sets;
  }
  BufferSets(const BufferSets&) = delete;
  BufferSets& operator=(const BufferSets&) = delete;

 private:
  static void* filled(size_t bytes, int value) {
    void* p = nullptr;
    cudaMalloc(&p, bytes);
    cudaMemset(p, value, bytes);
    return p;
  }
};
