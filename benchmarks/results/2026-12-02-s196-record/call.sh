#!/usr/bin/env bash
# NOTES entry 197: the two calls behind this record, from the repository root on the GPU machine, dist_u being head's
# default wheel (b3d7844; `pip wheel -q --no-deps -C build-dir=build/k128 -w dist_u .`, 420 kernels):
#   run(command="bash benchmarks/run_of_record.sh dist_u suite", carry=["dist_u"])       -> tests/suite.txt
#   run(command="bash benchmarks/run_of_record.sh dist_u quick full", carry=["dist_u"])  -> quick/, full-bf16/, full-fp16/
bash benchmarks/run_of_record.sh "${1:-dist_u}" suite quick full
