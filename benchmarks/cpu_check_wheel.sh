#!/usr/bin/env bash
# The test suite on the CPU against a built wheel, before a device call spends time on it (NOTES.md, entry 295):
# the tests that need an installed manifest but no GPU (dispatch over the build's kernels, the bench's kernel names)
# run here; the GPU tests skip. ~40 s. Arguments after the folder are pytest's (default: every test file); with
# SGMV_EMULATE=1 the GPU tests run too, their launches emulated (conftest.py, emulated_device.py: NOTES.md entry 349),
# a dry run of what a device call would run, e.g.
#   bash benchmarks/cpu_check_wheel.sh dist_X
#   SGMV_EMULATE=1 bash benchmarks/cpu_check_wheel.sh dist_X test_gpu_one_launch_padded.py test_gpu_ops.py
set -eu
wheel=$(realpath "$(ls "$1"/*.whl)")
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
(cd "$site" && python3 -m zipfile -e "$wheel" .)
cd "$(dirname "$0")/../tests"
shift
PYTHONPATH="$site" python3 -m pytest -q -p no:cacheprovider "${@:-.}"
