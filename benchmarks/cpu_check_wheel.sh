#!/usr/bin/env bash
# The test suite on the CPU against a built wheel, before a device call spends time on it (NOTES.md, entry 295):
# the tests that need an installed manifest but no GPU (dispatch over the build's kernels, the bench's kernel names)
# run here; the GPU tests skip. ~40 s.
#   bash benchmarks/cpu_check_wheel.sh dist_X
set -eu
wheel=$(realpath "$(ls "$1"/*.whl)")
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
(cd "$site" && python3 -m zipfile -e "$wheel" .)
cd "$(dirname "$0")/../tests"
PYTHONPATH="$site" python3 -m pytest -q -p no:cacheprovider .
