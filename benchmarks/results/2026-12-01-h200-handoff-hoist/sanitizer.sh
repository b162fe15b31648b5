# compute-sanitizer on entry 93's kept handoff code (the default wheel of 6143818, dist_final): memcheck on the
# grid-handoff tests of the bf16 r16-r64 fused kernels at two shapes, racecheck on two of those kernels at one.
set -o pipefail
rm -rf /tmp/sF && python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_final/*.whl
export PYTHONPATH=/tmp/sF
cd tests
K="test_fused_kernel_with_the_grid_handoff and bf16 and (r16 or r32 or r64)"
timeout 300 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "$K and (1032x1000 or 8x24)" 2>&1 | grep -v "^  " | tail -4 | tee $OUT/memcheck.txt
timeout 200 compute-sanitizer --tool racecheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "$K and 1032x1000 and (r64_hany_w4m16n128 or r16_hany_w8m16n512)" 2>&1 | grep -v "^  " | tail -4 | tee $OUT/racecheck.txt
# Second call (the first took 37 s): every grid-handoff test under memcheck; racecheck and synccheck on the bf16
# r16-r64 kernels at two shapes; memcheck on the graph and stream test.
timeout 240 compute-sanitizer --tool memcheck --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
  test_gpu_kernels.py -k "test_fused_kernel_with_the_grid_handoff or test_grid_handoff_in_graphs_and_streams" 2>&1 | grep -v "^  " | tail -3 | tee $OUT/memcheck-all.txt
for tool in racecheck synccheck; do
  timeout 200 compute-sanitizer --tool $tool --report-api-errors no python3 -m pytest -q -p no:cacheprovider \
    test_gpu_kernels.py -k "$K and (1032x1000 or 8x24)" 2>&1 | grep -v "^  " | tail -3 | tee $OUT/$tool-r16-r64.txt
done
