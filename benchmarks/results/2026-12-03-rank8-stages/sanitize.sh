#!/usr/bin/env bash
# NOTES entry 253's sanitizers (device; from the repository root, the final wheel carried packed as dist_253x): memcheck
# over rank 8's prefill kernels' per-kernel tests and test_prefill_shapes, racecheck on the one-block tiles'
# three small tiles at 2048 -> 1032 (18 stages of 256 columns a tile, so the 9-stage ring wraps), cut at 60 s.
python3 benchmarks/wheel_xz.py unpack dist_253x dist_253 > /dev/null || exit 1
rm -rf /tmp/rec && python3 -m pip install -q --no-deps --no-index --target /tmp/rec dist_253/*.whl || exit 1
export PYTHONPATH=/tmp/rec
cd tests
timeout 150 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py test_gpu_one_launch.py -k "(test_kernel or test_prefill_shapes) and prefill and _r8_" \
  > "$OUT/memcheck-r8.txt" 2>&1; echo "memcheck rc=$? $(grep -E 'passed|failed' "$OUT/memcheck-r8.txt" | tail -1)" \
  "$(tail -1 "$OUT/memcheck-r8.txt")"
for k in sgmv_prefill_bf16_r8_hany_w11m16n256u1_v8 sgmv_prefill_fp16_r8_hany_w11m16n256u1_v8; do
  timeout 60 compute-sanitizer --tool racecheck --kernel-name kns=sgmv_prefill \
    python3 ../benchmarks/sanitize/racecheck_probe.py $k 1,1,3 2048 1032 > "$OUT/racecheck-$k.txt" 2>&1
  echo "racecheck $k rc=$? $(grep -E 'matches|RACECHECK SUMMARY' "$OUT/racecheck-$k.txt" | tr '\n' ' ')"
done
