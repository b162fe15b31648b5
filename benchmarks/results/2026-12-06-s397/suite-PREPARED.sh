#!/bin/bash
# Entry 397 (device; prepared, not run): the whole GPU suite on the final tree's default build (dist_D: main at
# adebb39's package, 608 kernels whose SASS is dist_C2's, with the split cap of entry 396 in dispatch.py). Part 1
# (`one`): test_gpu_one_launch.py and the padded file (~190 s on an H100); part 2 (`rest`): every other file (~230 s).
# On an H200, `record` first takes the quick and full sweeps as a run of record (run_of_record.sh's guard).
# Usage (device): bash benchmarks/results/2026-12-06-s397/suite-PREPARED.sh one|rest|record   (carry dist_xz_D, made
# with `python3 benchmarks/wheel_xz.py pack dist_D dist_xz_D` from `python3 -m pip wheel --no-deps -w dist_D .`)
set -u
[ -d dist_D ] || python3 benchmarks/wheel_xz.py unpack dist_xz_D dist_D > /dev/null || exit 1
case ${1:?one, rest or record} in
  one) bash benchmarks/run_of_record.sh dist_D suite-one-launch suite-padded ;;
  rest) bash benchmarks/run_of_record.sh dist_D suite-rest ;;
  record) bash benchmarks/run_of_record.sh dist_D quick full ;;
  *) echo "unknown part: $1" >&2; exit 2 ;;
esac
