# Call 42 (entry 92): the barrier per row tile where a launch has at least 16 (dist_g8; fewer: the launch counter's, as
# before) against the shipped build (dist_final2): the quick sweep's add_lora cases (A B B A), then the whole GPU suite
# on G8.
set -o pipefail
bash benchmarks/ab_quick_builds.sh dist_final2 dist_g8 $OUT
for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv $OUT/results-$r.csv; done
rm -rf /tmp/sZ && python3 -m pip install -q --no-deps --no-index --target /tmp/sZ dist_g8/*.whl
cd tests && PYTHONPATH=/tmp/sZ timeout 280 python3 -m pytest -q -p no:cacheprovider . 2>&1 | tail -6 > $OUT/gpu-suite.txt; tail -1 $OUT/gpu-suite.txt
