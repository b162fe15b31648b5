# Call 34: the whole GPU suite on the default wheel of the final commit (dist_final2; SASS identical to call 31's dist_f).
set -o pipefail
rm -rf /tmp/sZ && python3 -m pip install -q --no-deps --no-index --target /tmp/sZ dist_final2/*.whl
export PYTHONPATH=/tmp/sZ
cd tests && timeout 280 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
