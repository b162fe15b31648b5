// Which copies and loads still in flight does a release reduction wait for? (benchmarks/NOTES.md, entries 74-75:
// every async copy of the block, bulk copies too; not loads into registers; L2 prefetches in part). The grid
// handoff's arrival (handoff.cuh) is `red.release.gpu` by thread 0 of a block, which compiles to
// MEMBAR.ALL.CTA, MEMBAR.ALL.GPU, ERRBAR and the RED; every thread of the fused kernel, thread 0 included, has its
// expand's B and y copies (cp.async) in flight by then. If the MEMBAR waits for them, the arrival costs a DRAM
// round trip more than it needs to.
// Each block: every thread issues `copies` 16-byte cp.async copies from a cold region into shared memory, then
//   mode 0: thread 0 times the release reduction with those copies still in flight;
//   mode 1: the same after cp.async.wait_all (nothing of the thread's in flight);
//   mode 2: thread 0 times how long its copies take to land (cp.async.wait_all alone), for scale;
//   mode 3: as mode 0, but warp 0 issues no copies (the other warps' copies in flight);
//   mode 4: as mode 0, but thread 0 issues none (the rest of its warp's in flight);
//   mode 5: as mode 0, but the block's bytes come as one bulk (TMA) copy that thread 0 issues, completing on an
//           mbarrier instead of cp.async groups;
//   mode 6: as mode 0, but every thread instead has ordinary 16-byte global loads in flight (used after the release);
//   mode 7: as mode 0, but every thread instead has issued prefetches into L2 (prefetch.global.L2) of the same bytes.
// out[block] = the cycles thread 0 measured. Launch: blockDim.x threads, copies * blockDim.x * 16 bytes of dynamic
// shared memory. Build: nvcc -cubin -arch=sm_90a -o membar_probe.cubin membar_probe.cu
#include <cstdint>

extern "C" __global__ void membar_probe(const uint4* src, unsigned* counter, long long* out, int copies, int mode) {
  extern __shared__ uint4 slots[];
  const uint4* base = src + static_cast<size_t>(blockIdx.x) * blockDim.x * copies;
  const bool issues = mode == 3 ? threadIdx.x >= 32 : mode == 4 ? threadIdx.x != 0 : mode < 5;
  __shared__ __align__(8) unsigned long long landed;  // mode 5's mbarrier
  const uint32_t landed_addr = static_cast<uint32_t>(__cvta_generic_to_shared(&landed));
  const uint32_t bytes = copies * blockDim.x * 16;
  if (mode == 5 && threadIdx.x == 0 && copies > 0) {
    asm volatile("mbarrier.init.shared.b64 [%0], 1;" :: "r"(landed_addr) : "memory");
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    asm volatile("mbarrier.arrive.expect_tx.shared.b64 _, [%0], %1;" :: "r"(landed_addr), "r"(bytes) : "memory");
    const uint32_t dst = static_cast<uint32_t>(__cvta_generic_to_shared(slots));
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
                 :: "r"(dst), "l"(base), "r"(bytes), "r"(landed_addr) : "memory");
  }
  uint4 held = make_uint4(0, 0, 0, 0);  // mode 6's loads, used after the release
  for (int i = 0; i < copies && mode == 6; ++i) {
    uint4 v;
    asm volatile("ld.global.cg.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "l"(base + i * blockDim.x + threadIdx.x) : "memory");
    held.x ^= v.x; held.y ^= v.y; held.z ^= v.z; held.w ^= v.w;
  }
  for (int i = 0; i < copies && mode == 7; ++i)
    asm volatile("prefetch.global.L2 [%0];" :: "l"(base + i * blockDim.x + threadIdx.x) : "memory");
  for (int i = 0; i < copies && issues; ++i) {
    const uint32_t dst = static_cast<uint32_t>(__cvta_generic_to_shared(&slots[i * blockDim.x + threadIdx.x]));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(dst), "l"(base + i * blockDim.x + threadIdx.x)
                 : "memory");
  }
  asm volatile("cp.async.commit_group;" ::: "memory");
  if (mode == 1) asm volatile("cp.async.wait_all;" ::: "memory");
  __syncthreads();
  if (threadIdx.x == 0) {
    long long start, end;
    asm volatile("mov.u64 %0, %%clock64;" : "=l"(start) :: "memory");
    if (mode == 2) {
      asm volatile("cp.async.wait_all;" ::: "memory");
    } else {
      asm volatile("red.release.gpu.global.add.u32 [%0], 1;" :: "l"(counter) : "memory");
    }
    asm volatile("mov.u64 %0, %%clock64;" : "=l"(end) :: "memory");
    out[blockIdx.x] = end - start;
  }
  asm volatile("cp.async.wait_all;" ::: "memory");
  if (mode == 5 && threadIdx.x == 0 && copies > 0) {
    uint32_t done = 0;
    while (!done) {
      asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared.b64 p, [%1], 0; selp.u32 %0, 1, 0, p; }"
                   : "=r"(done) : "r"(landed_addr) : "memory");
    }
  }
  if (mode == 6 && (held.x ^ held.y ^ held.z ^ held.w) == 0x9e3779b9u) out[blockIdx.x] = -1;  // keeps the loads
}
