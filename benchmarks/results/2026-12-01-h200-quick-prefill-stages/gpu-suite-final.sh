# Call 7: the whole GPU suite once more on the default build of the kept code (dist_final; the test expectations
# as committed), after NOTES entry 72's stage change.
set -o pipefail
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_final/*.whl
export PYTHONPATH=/tmp/sF
cd tests && timeout 300 python3 -m pytest -q -rs -p no:cacheprovider . 2>&1 | tail -8 > $OUT/gpu-suite.txt; tail -4 $OUT/gpu-suite.txt
