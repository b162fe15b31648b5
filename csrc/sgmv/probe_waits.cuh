// Wait stamps, for finding where a launch that never ends waits (benchmarks/sanitize/wait_stamps.py; NOTES.md, entry
// 173). Only in builds with SGMV_NVCC_FLAGS=-DSGMV_PROBE_WAITS: before each barrier wait, lane 0 of the warp writes
// what it waits for (a site number, the stage counter, the tile number, the global timer's low word) to its own slot
// of host memory the host mapped (sgmv_probe_stamps, set through cuModuleGetGlobal), so the host can read, while the
// launch hangs, the wait each warp never came back from. In every other build stamp_wait is empty and the kernels
// compile as without it.
#pragma once
#include <cstdint>

#if defined(SGMV_PROBE_WAITS)
extern "C" {
// [block][warp] slots in mapped host memory (block: blockIdx.y * gridDim.x + blockIdx.x), null: no stamps
__device__ uint4* sgmv_probe_stamps;
}
#endif

namespace sgmv {

// Where a warp waits (prefill.cuh).
enum WaitSite : uint32_t {
  kWaitTile = 1,         // a reader (consumer or producer) for the next handed-over tile (tile_full)
  kWaitShrinkStage = 2,  // a consumer for a shrink stage's copies (full)
  kWaitPartsFirst = 3,   // a consumer at sum_parts' first named barrier
  kWaitPartsSecond = 4,  // at its second
  kWaitExpandStage = 5,  // a consumer for an expand stage's copies (full)
  kWaitFreeStage = 6,    // a producer for a free stage (empty)
  kWaitFreeSlot = 7,     // the walking warp for a free tile slot (tile_empty)
  kWaitDone = 8,         // the warp's work is done
  kWaitPartnerRead = 9,  // a consumer for the cluster partner to have read its last push (swap_partials)
  kWaitPartnerLanded = 10,  // for the partner's push to have landed
};

// Timeline stamps, for finding where a launch's time goes (benchmarks/probe_timeline.py; NOTES.md, entry 328). Only in
// builds with SGMV_NVCC_FLAGS=-DSGMV_PROBE_TIMELINE: at every wait stamp and at the events below, lane 0 of the warp
// appends (site | tile << 8, it, clock, the global timer's low word) to its own kTimelineSlots slots of device memory
// (sgmv_probe_timeline, set through cuModuleGetGlobal; [block][warp][slot]), counting its stamps in shared memory
// (timeline_start zeroes the counts before the block's first barrier).
enum EventSite : uint32_t {
  kEventEntry = 11,     // the block's barriers are initialised and (clusters) its partners' too
  kEventReady = 12,     // past the wait for the previous kernel (griddepcontrol.wait)
  kEventSwapped = 13,   // a consumer holds the tile's whole v (after sum_parts and the cluster's swaps)
  kEventExit = 14,      // the warp leaves
};

#if defined(SGMV_PROBE_TIMELINE) && defined(SGMV_PROBE_WAITS)
#error "SGMV_PROBE_TIMELINE and SGMV_PROBE_WAITS: one probe a build"
#endif
#if defined(SGMV_PROBE_TIMELINE)
constexpr int kTimelineSlots = 64;
extern "C" {
__device__ uint4* sgmv_probe_timeline;
}
// by warp of the block; 1024 bytes, so that the dynamic shared memory after it keeps the 64-row tile's 1024-byte
// alignment (its stages' swizzle atoms)
__shared__ __align__(1024) uint32_t sgmv_probe_stamp_count[256];

__device__ __forceinline__ void timeline_start() {
  if (threadIdx.x < 32) sgmv_probe_stamp_count[threadIdx.x] = 0;
}

__device__ __forceinline__ void stamp_event(uint32_t site, uint32_t it = 0, uint32_t tile = 0) {
  uint4* const stamps = sgmv_probe_timeline;
  const int warp = threadIdx.x / 32;
  if (stamps != nullptr && threadIdx.x % 32 == 0) {
    const uint32_t n = sgmv_probe_stamp_count[warp]++;
    if (n < kTimelineSlots) {
      uint32_t now, clock;
      asm volatile("mov.u32 %0, %%globaltimer_lo;" : "=r"(now));
      asm volatile("mov.u32 %0, %%clock;" : "=r"(clock));
      const uint32_t block = blockIdx.y * gridDim.x + blockIdx.x;
      uint4* slot = stamps + (block * (blockDim.x / 32) + warp) * kTimelineSlots + n;
      *slot = make_uint4(site | tile << 8, it, clock, now);
    }
  }
  __syncwarp();
}

__device__ __forceinline__ void stamp_wait(uint32_t site, uint32_t it, uint32_t tile) { stamp_event(site, it, tile); }
#else
__device__ __forceinline__ void timeline_start() {}
__device__ __forceinline__ void stamp_event(uint32_t, uint32_t = 0, uint32_t = 0) {}
#endif

#if defined(SGMV_PROBE_WAITS)
__device__ __forceinline__ void stamp_wait(uint32_t site, uint32_t it, uint32_t tile) {
  uint4* const stamps = sgmv_probe_stamps;
  if (stamps != nullptr && threadIdx.x % 32 == 0) {
    uint32_t now;
    asm volatile("mov.u32 %0, %%globaltimer_lo;" : "=r"(now));
    const uint32_t block = blockIdx.y * gridDim.x + blockIdx.x;  // a cluster's blocks are grid y (prefill.cuh)
    uint4* slot = stamps + block * (blockDim.x / 32) + threadIdx.x / 32;
    asm volatile("st.volatile.global.v4.u32 [%0], {%1, %2, %3, %4};"
                 :: "l"(slot), "r"(site), "r"(it), "r"(tile), "r"(now) : "memory");
  }
  __syncwarp();
}
#elif !defined(SGMV_PROBE_TIMELINE)
__device__ __forceinline__ void stamp_wait(uint32_t, uint32_t, uint32_t) {}
#endif

}  // namespace sgmv
