"""Racecheck driver: one prefill launch of a single block over 48 one-row and 17-row segments (the walking warp hands
over every tile through the two slots, each reused many times), checked against the float64 reference."""
import dataclasses, itertools, sys
sys.path.insert(0, ".")
import torch, sgmv
from sgmv import cuda_ops, loader, reference
from sgmv.cuda_ops import Rows
from sgmv.dispatch import Problem, plan
from conftest import covered_rows
from test_gpu_kernels import PREFILL, _weights, check_delta

kernel = next(k for k in PREFILL if k.name.startswith(sys.argv[1]))
cluster = int(sys.argv[2])
dtype = torch.bfloat16
n_lora = 5
sizes = [1, 1, 17, 0, 1, 3] * (int(sys.argv[3]) if len(sys.argv) > 3 else 8)
h_in, h_out = (int(v) for v in (sys.argv[4] if len(sys.argv) > 4 else "528x264").split("x"))
loras = [i % n_lora if i % 7 else -1 for i in range(len(sizes))]
batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device="cuda")
rows = int(batch.seg_indptr[-1])
gen = torch.Generator().manual_seed(3)
a, b = _weights(n_lora, kernel.rank, h_in, h_out, dtype, gen)
x = torch.randn(rows, h_in, generator=gen).to(dtype).cuda()
y0 = torch.randn(rows, h_out, generator=gen).to(dtype).cuda()
y = y0.clone()
problem = dataclasses.replace(Problem.for_add_lora(y, x, a, b, n_lora), op="prefill")
geometry = dataclasses.replace(plan(problem, kernel, 132, clusters=True, resident_blocks=1), grid=(1, cluster, 1),
                               cluster=cluster)
params = cuda_ops._params(Rows(*batch.kernel_segments(n_lora)), None, 0.5,
                          [cuda_ops._slice(a, kernel.rank, h_in, 0), cuda_ops._slice(b, kernel.rank, h_out, 0)],
                          geometry, x=x.data_ptr(), y=y.data_ptr(), ld_x=x.stride(0), ld_y=y.stride(0),
                          num_rows=rows, num_loras=n_lora)
loader.launch(kernel, geometry, params, x)
want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).cuda())
torch.cuda.synchronize()
print("race_small ok", kernel.name, "cluster", cluster)
