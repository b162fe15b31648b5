# NOTES entry 124 (prepared): benchmarks/stream/pipeline_probe.cu on the H200, ~40 s. From the repository root:
#   run(command="bash benchmarks/results/2026-12-01-pipeline-probe/call.sh")
set -o pipefail
cd benchmarks/stream && nvcc -O3 -arch=sm_90 -o /tmp/pipeline_probe pipeline_probe.cu 2>&1 | tail -5
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
timeout 150 /tmp/pipeline_probe 2>&1 | tee "$OUT/pipeline-probe.txt"
