#!/usr/bin/env bash
# NOTES.md entry 248, fourth call: the quick record again and the whole GPU suite on the final wheel (the rule
# narrowed to one-row segments filling 90% of the places; on every sweep case the same launches as call3's wheel).
#   run(command="bash benchmarks/results/2026-12-03-interleaved-shares/call4.sh dist_248g", carry=["dist_248g"])
bash benchmarks/run_of_record.sh "${1:?wheel folder}" quick suite
