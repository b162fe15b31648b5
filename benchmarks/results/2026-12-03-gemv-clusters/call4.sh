#!/usr/bin/env bash
# NOTES entry 242, the last call: the driver's resident clusters of the gemv kernels, then the whole GPU suite on
# head's default wheel, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-gemv-clusters/call4.sh dist_fin", carry=["dist_fin"])
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec "${1:?wheel folder}"/*.whl || exit 1
PYTHONPATH=/tmp/rec python3 -c "
from sgmv import loader
from sgmv.manifest import load
for k in load().kernels:
    if k.op == 'gemv':
        print(k.name, loader.device(0).resident_clusters(k, k.gemv_cluster), 'clusters of', k.gemv_cluster)
" | tee "$OUT/resident-clusters.txt"
bash benchmarks/run_of_record.sh "$1" suite
