# Call 3: the prefill kernel's stages in flight: PREFILL_SMEM_BYTES 220 KB (A, HEAD), 150 (V2), 110 (V3), 185 (V4);
# prefill-only bf16 builds; benchmarks/ab_cases.py in the order A V2 V3 V4 V4 V3 V2 A; GPU prefill tests on V3.
set -o pipefail
REPO=$PWD
for v in A V2 V3 V4; do rm -rf /tmp/p$v; python3 -m pip install -q --no-deps --no-index --target /tmp/p$v dist_p$v/*.whl; done
(cd tests && PYTHONPATH=/tmp/pV3 timeout 120 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py -k prefill 2>&1 | grep -v "^  " | tail -2) | tee $OUT/gpu-tests-V3.txt
for run in A1 V2a V3a V4a V4b V3b V2b A2; do
  v=${run%?}; PYTHONPATH=/tmp/p$v timeout 60 python3 benchmarks/ab_cases.py /tmp/abs/$run bf16 > /tmp/abs-$run.log 2>&1 || echo "run $run failed"
done
for v in V2 V3 V4; do
  python3 benchmarks/ab_summary.py /tmp/abs A1,A2 ${v}a,${v}b > $OUT/ab-summary-$v.txt; echo "== $v"; cat $OUT/ab-summary-$v.txt
done
