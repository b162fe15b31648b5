// How the probes in benchmarks/stream and benchmarks/latency time a launch as the bench times add_lora (BENCH.md):
// `count` launches captured into one CUDA graph, the graph replayed once to warm up and then `reps` times, the
// median replay divided by `count`, in microseconds. launch(config, i) issues launch i with cudaLaunchKernelEx and
// the config that launch_config gives (a programmatic dependent launch where `pdl` is set, as add_lora's kernels are).
#pragma once
#include <algorithm>
#include <vector>
#include <cuda_runtime.h>

struct ProbeLaunch {
  cudaLaunchConfig_t config = {};
  cudaLaunchAttribute attribute = {};
  ProbeLaunch(dim3 grid, dim3 block, cudaStream_t stream, bool pdl) {
    config.gridDim = grid;
    config.blockDim = block;
    config.stream = stream;
    attribute.id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attribute.val.programmaticStreamSerializationAllowed = pdl;
    config.attrs = &attribute;
    config.numAttrs = 1;
  }
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
