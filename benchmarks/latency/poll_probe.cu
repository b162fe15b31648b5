// How soon the blocks of a launch see the grid handoff's barrier flip, and what a wait of another form costs
// (benchmarks/NOTES.md, entry 96). Every block of 128 threads arrives as fused.cuh's handoff does (thread 0's
// red.release.gpu on one counter, whose top bit flips at the last arrival), waits in the form under test, then loads
// a 4 KB tile of v (as the kernel's v after the barrier). Timed as the bench times add_lora: a CUDA graph of 32
// programmatic dependent launches, the median of 15 replays, per launch; 64, 128 and 256 blocks, the blocks arriving
// together or each after a delay of its own in [0, 2000) cycles (as a shrink's blocks finish apart). The forms are
// the modes below. Results: benchmarks/results/2026-12-01-h200-handoff-polls/poll-probe*.txt (each from the version
// of this file then, whose forms were subsets of these).
//
//   nvcc -O3 -arch=sm_90 -o poll_probe poll_probe.cu && ./poll_probe
#include <cstdint>
#include <cstdio>

#include <cuda_runtime.h>

#include "../graph_replay.cuh"

constexpr uint32_t kFlip = 0x80000000u;
constexpr int kTileFloat4 = 256;  // 16 rows x 64 ranks of float32: the r64 handoff's row tile of v

// mode: 0 null; 1 thread 0 polls (the kernel's form); 2 lane 0 of warps 0..pollers-1 polls, their first reads `param`
// cycles apart; 3 arrival only (no wait);
// 4 thread 0 polls with __nanosleep(param) between reads; 5 relay: thread 0 of block 0 polls the counter and, once it
// flips, stores the new value to `param` flag lines (128 bytes apart), each block polling the line of group
// blockIdx % param; 6 tree: each block arrives (atom.acq_rel) at its group's counter (param groups), the group's last
// arrives at the top counter, whose last stores the flags; every block polls its group's flag line. 7: the tile's
// load alone (no arrival, no wait); 8: the arrival alone (no wait, no tile); 9: thread 0 polls with ld.relaxed and
// fences once it sees the flip; 10: the same without the fence (not a barrier's ordering: for scale only); 11: 9
// with __nanosleep(param) between reads. 12: every block arrives at `param` copies of the counter (one fence, then
// relaxed reductions) and polls copy blockIdx % param; 13: 12 with __nanosleep(16) between reads. In mode 2 the
// first poller to see the flip loads the tile (the other warps wait at the block barrier, the other pollers until
// their read in flight returns). `spread`: each block arrives after a delay of its own in [0, spread) cycles.
constexpr int kLine = 32;  // 128 bytes of uint32

__device__ uint32_t load_acquire(const unsigned* p) {
  uint32_t v;
  asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
  return v;
}
__device__ uint32_t load_relaxed(const unsigned* p) {
  uint32_t v;
  asm volatile("ld.relaxed.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
  return v;
}
__device__ uint32_t atom_add(unsigned* p, uint32_t add) {
  uint32_t old;
  asm volatile("atom.acq_rel.gpu.global.add.u32 %0, [%1], %2;" : "=r"(old) : "l"(p), "r"(add) : "memory");
  return old;
}
__device__ void wait_flip(const unsigned* p, uint32_t found) {
  while (((load_acquire(p) ^ found) & kFlip) == 0) {
  }
}

// The flip, seen by this thread, passed on to `groups` flag lines: one fence (cumulative: what this thread acquired
// is released with the stores), then relaxed stores.
__device__ void broadcast(unsigned* flags, int groups, uint32_t now) {
  asm volatile("fence.acq_rel.gpu;" ::: "memory");
  for (int g = 0; g < groups; ++g)
    asm volatile("st.relaxed.gpu.global.u32 [%0], %1;" :: "l"(flags + kLine * g), "r"(now) : "memory");
}

// counter[0]: the top counter; flags: counter + kLine * (1 + g); group counters: counter + kLine * (1 + 64 + g).
__global__ void __launch_bounds__(128) probe(unsigned* counter, const float4* v, int mode, int param, int spread,
                                             int pollers, unsigned* sink) {
  __shared__ float4 tile[kTileFloat4];
  __shared__ volatile int seen;
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  if (mode == 0) return;
  const uint32_t found = load_relaxed(counter);
  if (threadIdx.x == 0) seen = 0;
  __syncthreads();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const uint32_t blocks = gridDim.x;
  const uint32_t add = blockIdx.x == 0 ? kFlip - (blocks - 1) : 1u;
  if (spread > 0 && threadIdx.x == 0) {  // the blocks' arrivals spread over [0, spread) cycles, as a shrink's are
    const long long t0 = clock64();
    const long long delay = (blockIdx.x * 2654435761u >> 12) % spread;
    while (clock64() - t0 < delay) {
    }
  }
  unsigned* flags = counter + kLine;
  bool all_load = true;
  if (mode == 1 || mode == 3 || mode == 4) {
    if (threadIdx.x == 0) {
      asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
      if (mode == 1) wait_flip(counter, found);
      if (mode == 4)
        while (((load_acquire(counter) ^ found) & kFlip) == 0) __nanosleep(param);
    }
  } else if (mode == 2) {
    if (threadIdx.x == 0)
      asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
    int mine = 0;
    if (warp < pollers && lane == 0) {
      const long long t0 = clock64();
      while (clock64() - t0 < static_cast<long long>(warp) * param) {
      }
      for (;;) {
        if ((load_acquire(counter) ^ found) & kFlip) {
          mine = 1;
          seen = 1;
          break;
        }
        if (seen) break;
      }
    }
    mine = __shfl_sync(0xffffffffu, mine, 0);
    all_load = false;
    if (mine)
      for (int i = lane; i < kTileFloat4; i += 32) tile[i] = __ldcg(v + i);
  } else if (mode == 5) {
    const int groups = param;
    if (threadIdx.x == 0) {
      asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
      if (blockIdx.x == 0) {
        uint32_t now;
        while ((((now = load_acquire(counter)) ^ found) & kFlip) == 0) {
        }
        broadcast(flags, groups, now);
      }
      wait_flip(flags + kLine * (blockIdx.x % groups), found);
    }
  } else if (mode == 12 || mode == 13) {  // `param` copies of the counter; 13: __nanosleep(16) between reads
    const int copies = param;
    if (threadIdx.x == 0) {
      unsigned* copy0 = counter + kLine * (1 + 128);  // copy k at copy0 + kLine * k
      const uint32_t c_found = load_relaxed(copy0);
      asm volatile("fence.acq_rel.gpu;" ::: "memory");
      for (int k = 0; k < copies; ++k)
        asm volatile("red.relaxed.gpu.global.add.u32 [%0], %1;" :: "l"(copy0 + kLine * k), "r"(add) : "memory");
      const unsigned* mine = copy0 + kLine * (blockIdx.x % copies);
      while (((load_acquire(mine) ^ c_found) & kFlip) == 0)
        if (mode == 13) __nanosleep(16);
    }
  } else if (mode >= 9 && mode <= 11) {  // relaxed reads, then (9, 11) one fence; 11 with __nanosleep(param)
    if (threadIdx.x == 0) {
      asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
      while (((load_relaxed(counter) ^ found) & kFlip) == 0)
        if (mode == 11) __nanosleep(param);
      if (mode != 10) asm volatile("fence.acq_rel.gpu;" ::: "memory");
    }
  } else if (mode == 7 || mode == 8) {  // decomposition: 7 the tile's load alone, 8 the arrival alone
    if (mode == 8) {
      if (threadIdx.x == 0)
        asm volatile("red.release.gpu.global.add.u32 [%0], %1;" :: "l"(counter), "r"(add) : "memory");
      all_load = false;
    }
  } else if (mode == 6) {
    const int groups = param;
    if (threadIdx.x == 0) {
      const int g = blockIdx.x % groups;
      const uint32_t n_g = (blocks - g + groups - 1) / groups;  // blocks g, g + groups, ...
      unsigned* gc = counter + kLine * (1 + 64 + g);
      const uint32_t g_found = load_relaxed(gc);
      const uint32_t g_add = blockIdx.x == static_cast<unsigned>(g) ? kFlip - (n_g - 1) : 1u;
      const uint32_t old = atom_add(gc, g_add);
      if (((old + g_add) ^ g_found) & kFlip) {  // the group's last
        const uint32_t t_add = g == 0 ? kFlip - (groups - 1) : 1u;
        const uint32_t t_old = atom_add(counter, t_add);
        if (((t_old + t_add) ^ found) & kFlip) broadcast(flags, groups, t_old + t_add);  // the last group
      }
      wait_flip(flags + kLine * g, found);
    }
  }
  __syncthreads();
  if (all_load) {
    for (int i = threadIdx.x; i < kTileFloat4; i += blockDim.x) tile[i] = __ldcg(v + i);
  }
  __syncthreads();
  if (tile[threadIdx.x % kTileFloat4].x == 12345.f) atomicAdd(sink, 1u);  // keeps the tile's loads
}

int main() {
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  unsigned *counter, *sink;
  cudaMalloc(&counter, 4 * kLine * 160);
  cudaMemset(counter, 0, 4 * kLine * 160);
  cudaMalloc(&sink, 4);
  float4* v;
  cudaMalloc(&v, kTileFloat4 * sizeof(float4));
  cudaMemset(v, 0, kTileFloat4 * sizeof(float4));
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  struct Form {
    const char* name;
    int mode, param, pollers = 1;
  };
  const Form forms[] = {
      {"null", 0, 0},         {"tile", 7, 0},           {"arrive-only", 8, 0},   {"arrive+tile", 3, 0},
      {"poll1", 1, 0},        {"sleep8", 4, 8},         {"sleep16", 4, 16},      {"sleep32", 4, 32},
      {"sleep64", 4, 64},     {"sleep128", 4, 128},     {"sleep256", 4, 256},    {"poll2/150", 2, 150, 2},
      {"poll2/300", 2, 300, 2}, {"poll4/150", 2, 150, 4},    {"relaxed+fence", 9, 0}, {"relaxed-nofence", 10, 0},
      {"relaxed+sleep16", 11, 16}, {"relay1", 5, 1},    {"relay8", 5, 8},        {"tree8", 6, 8},
      {"copies1", 12, 1},     {"copies4", 12, 4},       {"copies4+sleep16", 13, 4}, {"poll1", 1, 0}};
  printf("us per launch (median of 15 graph replays of 32 PDL launches), 128 threads a block\n");
  for (int spread : {0, 2000})
  for (int blocks : {64, 128, 256}) {
    printf("blocks %4d spread %4d:", blocks, spread);
    for (const Form& f : forms) {
      const double us = graph_replay_us(stream, e0, e1, 32, [&](int) {
        ProbeLaunch l(dim3(blocks), dim3(128), stream, true);
        cudaLaunchKernelEx(&l.config, probe, counter, static_cast<const float4*>(v), f.mode, f.param, spread, f.pollers,
                           sink);
      });
      printf(" %s=%.3f", f.name, us);
    }
    printf("\n");
  }
  const cudaError_t err = cudaDeviceSynchronize();
  printf("status: %s\n", cudaGetErrorString(err));
  return err == cudaSuccess ? 0 : 1;
}
