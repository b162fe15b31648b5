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
#else
__device__ __forceinline__ void stamp_wait(uint32_t, uint32_t, uint32_t) {}
#endif

}  // namespace sgmv
