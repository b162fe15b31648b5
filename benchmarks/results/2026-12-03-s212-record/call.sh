#!/usr/bin/env bash
# NOTES entry 213: the run of record on head's default wheel after entry 212 (dist_r64h: entry 212's B, the patch's
# build, SASS = head's), from the repository root on the GPU machine, as two calls (suite + quick ~400 s, full ~90 s):
#   run(command="bash benchmarks/run_of_record.sh dist_r64h suite quick", carry=["dist_r64h"])
#   run(command="bash benchmarks/run_of_record.sh dist_r64h full", carry=["dist_r64h"])
bash benchmarks/run_of_record.sh "${1:-dist_r64h}" suite quick
bash benchmarks/run_of_record.sh "${1:-dist_r64h}" full
