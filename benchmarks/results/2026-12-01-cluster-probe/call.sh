# NOTES entry 120 (prepared): benchmarks/stream/cluster_probe.cu on the H200, ~40 s. From the repository root:
#   run(command="bash benchmarks/results/2026-12-01-cluster-probe/call.sh")
set -o pipefail
cd benchmarks/stream && nvcc -O3 -arch=sm_90 -o /tmp/cluster_probe cluster_probe.cu 2>&1 | tail -5
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
timeout 120 /tmp/cluster_probe 2>&1 | tee "$OUT/cluster-probe.txt"
