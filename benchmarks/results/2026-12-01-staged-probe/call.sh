# NOTES entry 126: benchmarks/stream/staged_probe.cu on the H200, ~20 s. From the repository root:
#   run(command="bash benchmarks/results/2026-12-01-staged-probe/call.sh")
set -o pipefail
cd benchmarks/stream && nvcc -O3 -arch=sm_90 -o /tmp/staged_probe staged_probe.cu 2>&1 | tail -5
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
timeout 120 /tmp/staged_probe 2>&1 | tee "$OUT/staged-probe.txt"
