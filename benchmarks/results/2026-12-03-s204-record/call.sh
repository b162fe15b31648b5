#!/usr/bin/env bash
# NOTES entry 205: the call behind this folder, from the repository root on the GPU machine, dist_head being head's
# default wheel (`pip wheel -q --no-deps -C build-dir=build/k128 -w dist_head .`, 420 kernels; SASS identical to
# entry 200's GPU-tested dist_w):
#   run(command="bash benchmarks/results/2026-12-03-s204-record/call.sh", carry=["dist_head"])
#   -> tests/suite.txt, quick/
bash benchmarks/run_of_record.sh "${1:-dist_head}" suite quick
