# Concurrency probe: NSTREAMS streams each launch add_lora with the grid handoff ITERS times, concurrently.
import os, sys, time, torch, sgmv
from sgmv import dispatch
ns, iters, rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
dispatch.HANDOFF_BLOCKS_PER_SM = int(sys.argv[4])
dev = torch.device("cuda")
h, r = 4096, 64
a = torch.randn(2, r, h, device=dev, dtype=torch.bfloat16) * 0.02
b = torch.randn(2, h, r, device=dev, dtype=torch.bfloat16) * 0.02
batch = sgmv.LoraBatch.from_segments([0, rows], [0], device=dev)
prio = len(sys.argv) > 5 and sys.argv[5] == 'prio'
streams = [torch.cuda.Stream(priority=-(i % 2) if prio else 0) for i in range(ns)]
xs = [torch.randn(rows, h, device=dev, dtype=torch.bfloat16) for _ in range(ns)]
ys = [torch.zeros(rows, h, device=dev, dtype=torch.bfloat16) for _ in range(ns)]
torch.cuda.synchronize()
for s, x, y in zip(streams, xs, ys):  # warm outside the capture (first use loads the kernels)
    with torch.cuda.stream(s):
        sgmv.add_lora(y, x, a, b, batch, scale=1.0)
torch.cuda.synchronize()
g = torch.cuda.CUDAGraph()
cap = torch.cuda.Stream()
with torch.cuda.graph(g, stream=cap):
    for s in streams:
        s.wait_stream(cap)
    for s, x, y in zip(streams, xs, ys):  # each branch its own stream: the branches run concurrently
        with torch.cuda.stream(s):
            for i in range(iters):
                sgmv.add_lora(y, x, a, b, batch, scale=1.0)
    for s in streams:
        cap.wait_stream(s)
t = time.time()
for _ in range(20):
    g.replay()
torch.cuda.synchronize()
print(f"streams {ns} rows {rows} per_sm {sys.argv[4]} prio {prio}: done in {time.time() - t:.2f} s", flush=True)
