#!/bin/bash
# Entry 369 (device), call 4: the final Python on the GPU (dist_8's kernels): all of test_gpu_ops.py, the bench's
# serving pairs (qkv r16 and the new gate_up r64, both dtypes), and on an H200 the rule's probe of call 3 again.
# Usage (device): bash benchmarks/results/2026-12-05-s369-slices/call4.sh dist_xz_8
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || exit 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || exit 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
(cd tests && timeout 280 python3 -m pytest -q -rs -p no:cacheprovider test_gpu_ops.py > "$OUT/tests-ops-all.txt" 2>&1)
tail -1 "$OUT/tests-ops-all.txt"
timeout 120 python3 -c "
import torch
from sgmv.bench import serving, timer
bw = timer.copy_bandwidth(torch.device('cuda'))
print(f'copy bandwidth {bw / 1e12:.2f} TB/s')
print(serving.table(serving.run_pairs([torch.bfloat16, torch.float16], bw)))
" > "$OUT/pairs.txt" 2>&1
cat "$OUT/pairs.txt" | grep -E "gate_up|qkv|bandwidth" | head -30
if grep -q H200 "$OUT/gpu.txt"; then
  timeout 150 python3 benchmarks/slices_probe.py "$OUT/rule-bf16.json" --variants="one call,the pair,a call a slice" \
    --packs=qkv,8192:8192+1024+1024,4096:4096+4096+4096,2048:2048+256+256,gate_up,4096:11008+11008,5120:13824+13824 \
    --ranks=16,32,64,128 --batches=64x8,256x16,512x8,1024x16,2048x32,4096x64,8192x8 > "$OUT/rule-bf16.txt" 2>&1
  tail -1 "$OUT/rule-bf16.txt"
fi
