#!/bin/bash
# NOTES entry 276: where rank 64's grid-handoff tiles spend their instructions and stalls now (after entry 262's split
# v), on the quick sweep's worst cases: h8192 identical bs256 (the 8-warp 32-row tile) and uniform bs256 (16 segments
# of 16 rows: the 4-warp 16-row `_tb` twin). One launch each outside a graph: ncu --set full with SASS source counters
# (benchmarks/ncu_source.sh).
# Usage (device): bash benchmarks/results/2026-12-04-r64-ncu/ncu_source.sh dist_275
exec bash benchmarks/ncu_source.sh "$1" identical256_r64_h8192 uniform256_r64_h8192
