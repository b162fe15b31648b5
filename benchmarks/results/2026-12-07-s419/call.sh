# NOTES entry 419: cluster_sum_probe beside pipeline_probe (entry 124's forms) on one card, ~2 min. From the root:
#   run(command="bash benchmarks/results/2026-12-07-s419/call.sh", kind="nvidia-h200")
set -o pipefail
cd benchmarks/stream
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
nvcc -O3 -arch=sm_90 -o /tmp/cluster_sum_probe cluster_sum_probe.cu 2>&1 | tail -5
nvcc -O3 -arch=sm_90 -o /tmp/pipeline_probe pipeline_probe.cu 2>&1 | tail -5
timeout 120 /tmp/cluster_sum_probe 2>&1 | tee "$OUT/cluster-sum-probe.txt"
timeout 200 /tmp/pipeline_probe 2>&1 | tee "$OUT/pipeline-probe.txt"
timeout 120 /tmp/cluster_sum_probe 2>&1 | tee "$OUT/cluster-sum-probe-2.txt"
