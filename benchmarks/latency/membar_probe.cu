// Does a release reduction wait for the issuing thread's own cp.async copies still in flight? (benchmarks/NOTES.md,
// entry 74). The grid handoff's arrival (handoff.cuh) is `red.release.gpu` by thread 0 of a block, which compiles to
// MEMBAR.ALL.CTA, MEMBAR.ALL.GPU, ERRBAR and the RED; every thread of the fused kernel, thread 0 included, has its
// expand's B and y copies (cp.async) in flight by then. If the MEMBAR waits for them, the arrival costs a DRAM
// round trip more than it needs to.
// Each block: every thread issues `copies` 16-byte cp.async copies from a cold region into shared memory, then
//   mode 0: thread 0 times the release reduction with those copies still in flight;
//   mode 1: the same after cp.async.wait_all (nothing of the thread's in flight);
//   mode 2: thread 0 times how long its copies take to land (cp.async.wait_all alone), for scale.
// out[block] = the cycles thread 0 measured. Launch: blockDim.x threads, copies * blockDim.x * 16 bytes of dynamic
// shared memory. Build: nvcc -cubin -arch=sm_90a -o membar_probe.cubin membar_probe.cu
#include <cstdint>

extern "C" __global__ void membar_probe(const uint4* src, unsigned* counter, long long* out, int copies, int mode) {
  extern __shared__ uint4 slots[];
  const uint4* base = src + static_cast<size_t>(blockIdx.x) * blockDim.x * copies;
  for (int i = 0; i < copies; ++i) {
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
}
