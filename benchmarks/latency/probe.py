"""Graph-replay latency of launches, clusters and dependent loads on this GPU (benchmarks/NOTES.md, entry 9).
Usage: python benchmarks/latency/probe.py  (needs probe.cubin next to it: nvcc -cubin -arch=sm_90 probe.cu)."""
import ctypes
import pathlib
import statistics

import torch
from cuda.bindings import driver as cu

HERE = pathlib.Path(__file__).parent


def check(result):
    err, *rest = result if isinstance(result, tuple) else (result,)
    assert err == cu.CUresult.CUDA_SUCCESS, err
    return rest[0] if len(rest) == 1 else rest


def main():
    torch.cuda.init()
    torch.zeros(1, device="cuda")
    check(cu.cuCtxGetCurrent())  # torch made its context current: the module loads into it
    module = check(cu.cuModuleLoadData(HERE.joinpath("probe.cubin").read_bytes()))
    names = ("probe_empty", "probe_chain", "probe_chain_sync")
    fns = {n: check(cu.cuModuleGetFunction(module, n.encode())) for n in names}
    for fn in fns.values():
        check(cu.cuFuncSetAttribute(fn, cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1))
    # One 1 GiB table of random indices into itself; every execution starts somewhere new (start_index).
    sets = [torch.randint(0, 1 << 28, (1 << 28,), dtype=torch.int32, device="cuda")]
    out = torch.empty(1 << 20, dtype=torch.int32, device="cuda")
    counter = torch.zeros(1, dtype=torch.int32, device="cuda")

    def launch(name, blocks, cluster, pdl, hops, table):
        cfg = cu.CUlaunchConfig()
        cfg.gridDimX, cfg.gridDimY, cfg.gridDimZ = blocks, 1, 1
        cfg.blockDimX, cfg.blockDimY, cfg.blockDimZ = 128, 1, 1
        cfg.sharedMemBytes = 0
        cfg.hStream = cu.CUstream(torch.cuda.current_stream().cuda_stream)
        attrs = []
        if pdl:
            a = cu.CUlaunchAttribute()
            a.id = cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION
            a.value.programmaticStreamSerializationAllowed = 1
            attrs.append(a)
        if cluster > 1:
            a = cu.CUlaunchAttribute()
            a.id = cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION
            a.value.clusterDim.x, a.value.clusterDim.y, a.value.clusterDim.z = cluster, 1, 1
            attrs.append(a)
        cfg.attrs, cfg.numAttrs = attrs, len(attrs)
        args = (table.data_ptr(), out.data_ptr(), hops, counter.data_ptr())
        kinds = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
        n = 2 if name == "probe_empty" else 4
        check(cu.cuLaunchKernelEx(cfg, fns[name], (args[:n], kinds[:n]), 0))

    def time(name, blocks, cluster, pdl, hops=0, calls=64):
        stream = torch.cuda.Stream()
        with torch.cuda.stream(stream):
            launch(name, blocks, cluster, pdl, hops, sets[0])
        torch.cuda.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, stream=stream):
            for i in range(calls):
                launch(name, blocks, cluster, pdl, hops, sets[i % len(sets)])
        graph.replay()
        torch.cuda.synchronize()
        times = []
        for _ in range(15):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record(); graph.replay(); e.record(); e.synchronize()
            times.append(s.elapsed_time(e) * 1000 / calls)
        return statistics.median(times)

    for pdl in (False, True):
        tag = "pdl" if pdl else "   "
        print(f"{tag} empty 16 blocks: {time('probe_empty', 16, 1, pdl):.2f} us; cluster 8: "
              f"{time('probe_empty', 16, 8, pdl):.2f}; cluster 16: {time('probe_empty', 16, 16, pdl):.2f}; "
              f"256 blocks cluster 8: {time('probe_empty', 256, 8, pdl):.2f}")
        for hops in (0, 1, 2, 3):
            chain = time('probe_chain', 16, 1, pdl, hops)
            print(f"{tag} atomic + {hops} dependent loads + store, 16 blocks: {chain:.2f} us; "
                  f"+cluster sync (8): {time('probe_chain_sync', 16, 8, pdl, hops):.2f}; "
                  f"(16): {time('probe_chain_sync', 16, 16, pdl, hops):.2f}")


if __name__ == "__main__":
    main()
