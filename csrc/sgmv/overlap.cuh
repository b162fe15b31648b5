// Overlap with the neighbouring kernels on the stream (programmatic dependent launch, sm_90).
//
// add_lora's kernels are launched so that their blocks may start while the previous kernel on the stream
// finishes (cuda_ops: overlap_previous), and each waits for it (wait_for_prerequisites) before reading what that
// kernel may write. launch_dependents lets the next kernel's blocks start:
// - the fused kernel, at once (a chain of small add_lora calls then has the next grids resident and waiting);
// - the shrink, once it has waited: the expand reads y and B before waiting for the shrink's v, so the kernels
//   before the shrink must be done by then;
// - the expand of 16-row (decode) tiles, once it has waited: the next call's first kernel starts meanwhile,
//   0.4-0.5 us a call on small batches; the pipelined (prefill) expand does not, as that cost prefill 2-10%;
// - the gemv kernel (gemv.cuh), once it has waited;
// - the prefill kernel (prefill.cuh), once its producer warps have issued their last copies; before its wait only
//   its walking warp reads, and only the batch tables (with tables_ready, below).
// Prefetching into L2, before the wait, what a block reads after it was tried and left out: 1-2 us slower in
// the fused kernel and mixed in the shrink (benchmarks/NOTES.md, entry 15); in the grid handoff 2-7% faster in a
// chain of add_lora calls but 2-19% slower after a kernel that does not let add_lora start early (entry 50).
// The batch tables are read before the wait when SgmvParams::tables_ready says no kernel writes them (a
// LoraBatch built from host data, without per-adapter scales or ranks): the first kernel's chain of loads is
// then one dependent load shorter (benchmarks/NOTES.md, entry 27); the fused and gemv kernels then also do their
// whole setup before the wait, which comes right before their first loads of x and the weights (entry 40: 0.75-0.85x
// on small batches; the gemv kernel 0.87-0.95x at 16 one-row segments, entry 285). Loads that may follow a wait are
// coherent or behind branches: ptxas hoisted predicated ld.global.nc loads above it (entry 40). Even then every block
// waits before it exits, a block without work included: the next kernel's wait covers this grid only, so this grid
// must not complete before the kernels it waits for (an add_lora whose blocks all exit early would otherwise let the
// next call read x or y while the kernel before this one still writes them).
// Both are no-ops in a launch without the dependency.
#pragma once

namespace sgmv {

__device__ __forceinline__ void launch_dependents() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

__device__ __forceinline__ void wait_for_prerequisites() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

}  // namespace sgmv
