#!/bin/bash
# Entry 377 (device), call 3: staged_probe.cu's async_ll with a pause of 32 and 256 ns between its poll rounds
# (-DPOLL_PAUSE_NS), to tell the polls' traffic from the rounds' latency. Usage (device): bash <this file>
set -u
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
for ns in 32 256; do
  (cd benchmarks/stream && nvcc -O3 -arch=sm_90 -DPOLL_PAUSE_NS=$ns -o /tmp/staged_probe_$ns staged_probe.cu 2>&1 | tail -3)
  timeout 100 /tmp/staged_probe_$ns > "$OUT/staged-probe-ll-pause-$ns.txt" 2>&1; echo "pause $ns rc=$?"
  grep pdl "$OUT/staged-probe-ll-pause-$ns.txt"
done
