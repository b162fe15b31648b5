#!/usr/bin/env bash
# NOTES entry 200: the call behind this folder, from the repository root on the GPU machine, dist_w being head's
# default wheel after entries 198-199 (`pip wheel -q --no-deps -C build-dir=build/k128 -w dist_w .`, 420 kernels):
#   run(command="bash benchmarks/run_of_record.sh dist_w suite full", carry=["dist_w"])  -> tests/suite.txt, full-*/
bash benchmarks/run_of_record.sh "${1:-dist_w}" suite full
