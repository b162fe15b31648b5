// Latency probes for benchmarks/latency/probe.py: what a launch, a cluster and a dependent global load
// cost inside CUDA-graph replay (benchmarks/NOTES.md, entry 9).
#include <cstdint>
#include <cooperative_groups.h>

extern "C" __global__ void probe_empty(const int* table, int* out) {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
}

// A fresh start index per execution (an atomic on a counter, one L2 round trip), so replays of one graph
// keep missing the cache; then `hops` dependent loads (each address from the previous load) and a store.
__device__ int start_index(int* counter) {
  int base = 0;
  if (threadIdx.x % 32 == 0) base = atomicAdd(counter, 1);
  base = __shfl_sync(0xffffffffu, base, 0);
  return (base * 7919 * 1024 + blockIdx.x * 4096 + (threadIdx.x % 32) * 64) & ((1 << 28) - 1);
}

extern "C" __global__ void probe_chain(const int* table, int* out, int hops, int* counter) {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  int i = start_index(counter);
  for (int h = 0; h < hops; ++h) i = __ldcg(table + i);
  out[blockIdx.x * blockDim.x + threadIdx.x] = i;
}

// The same with a cluster barrier after the loads (launch as clusters).
extern "C" __global__ void probe_chain_sync(const int* table, int* out, int hops, int* counter) {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  int i = start_index(counter);
  for (int h = 0; h < hops; ++h) i = __ldcg(table + i);
  cooperative_groups::this_cluster().sync();
  out[blockIdx.x * blockDim.x + threadIdx.x] = i;
}
