// How the probes in benchmarks/stream and benchmarks/latency time a launch as the bench times add_lora (BENCH.md):
// `count` launches captured into one CUDA graph, the graph replayed once to warm up and then `reps` times, the
// median replay divided by `count`, in microseconds. launch(i) issues launch i with cudaLaunchKernelEx and a
// ProbeLaunch's config (a programmatic dependent launch where `pdl` is set, as add_lora's kernels are; in clusters of
// `cluster` blocks along x where it is above 0; `smem` bytes of dynamic shared memory).
#pragma once
#include <algorithm>
#include <vector>
#include <cuda_runtime.h>

struct ProbeLaunch {
  cudaLaunchConfig_t config = {};
  cudaLaunchAttribute attributes[2] = {};
  ProbeLaunch(dim3 grid, dim3 block, cudaStream_t stream, bool pdl, unsigned cluster = 0, size_t smem = 0) {
    config.gridDim = grid;
    config.blockDim = block;
    config.stream = stream;
    config.dynamicSmemBytes = smem;
    attributes[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attributes[0].val.programmaticStreamSerializationAllowed = pdl;
    attributes[1].id = cudaLaunchAttributeClusterDimension;
    attributes[1].val.clusterDim.x = cluster;
    attributes[1].val.clusterDim.y = 1;
    attributes[1].val.clusterDim.z = 1;
    config.attrs = attributes;
    config.numAttrs = cluster > 0 ? 2 : 1;
  }
  ProbeLaunch(const ProbeLaunch&) = delete;  // config points into the object
  ProbeLaunch& operator=(const ProbeLaunch&) = delete;
};

template <class Launch>
double graph_replay_us(cudaStream_t stream, cudaEvent_t e0, cudaEvent_t e1, int count, Launch launch, int reps = 15) {
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal);
  for (int i = 0; i < count; ++i) launch(i);
  cudaStreamEndCapture(stream, &graph);
  cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphLaunch(exec, stream);
  cudaStreamSynchronize(stream);
  std::vector<float> ms;
  for (int rep = 0; rep < reps; ++rep) {
    cudaEventRecord(e0, stream);
    cudaGraphLaunch(exec, stream);
    cudaEventRecord(e1, stream);
    cudaEventSynchronize(e1);
    float t = 0;
    cudaEventElapsedTime(&t, e0, e1);
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  return 1e3 * ms[ms.size() / 2] / count;
}

// A stream of its own and the two events graph_replay_us times with.
struct ReplayStream {
  cudaStream_t stream;
  cudaEvent_t e0, e1;
  ReplayStream() {
    cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
  }
  template <class Launch>
  double us(int count, Launch launch, int reps = 15) const {
    return graph_replay_us(stream, e0, e1, count, launch, reps);
  }
};
