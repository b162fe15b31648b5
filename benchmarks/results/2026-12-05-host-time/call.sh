#!/bin/bash
# NOTES entry 345: the public op's host time on the GPU with the driver's real launches, before (dist_334 as built:
# torch.library.custom_op, a launch configuration built every launch, a plan every call) and after (the same kernels
# under this tree's Python), old new new old; then the GPU tests the change touches most (the ops' version bump,
# torch.compile, CUDA graphs and streams through the ops, the model layers, the README's examples). From the repository
# root (then entry 348's probe: a per-adapter scale tensor against a float, under the new Python):
#   python3 benchmarks/wheel_xz.py pack dist_334 dist_xz_334     # on the CPU machine, once (dist_xz_334 is that)
#   run(command="bash benchmarks/results/2026-12-05-host-time/call.sh", carry=["dist_xz_334"])
set -u
repo=$PWD
python3 benchmarks/wheel_xz.py unpack dist_xz_334 dist_334 > /dev/null || exit 1
for w in old new; do
  rm -rf /tmp/w$w && python3 -m pip install -q --no-deps --no-index --target /tmp/w$w dist_334/*.whl || exit 1
done
cp -r python/sgmv/. /tmp/wnew/sgmv/
for w in old new new old; do
  echo "== $w"; PYTHONPATH=/tmp/w$w timeout 90 python3 benchmarks/host_time.py --gpu
done 2>&1 | tee "$OUT/host-time.txt"
cd tests
PYTHONPATH=/tmp/wnew timeout 300 python3 -m pytest -q -p no:cacheprovider test_gpu_ops.py test_lora_linear.py \
  test_readme.py test_reference.py test_loader.py -k "version or compile or graph or stream or lora_linear or wrapped \
or readme or opcheck or configuration" > "$OUT/tests.txt" 2>&1
echo "tests rc=$? $(tail -1 "$OUT/tests.txt")"; grep -E "^(FAILED|ERROR)" "$OUT/tests.txt" | head
(cd /tmp && PYTHONPATH=/tmp/wnew timeout 120 python3 "$repo/benchmarks/results/2026-12-05-host-time/scales_probe.py") \
  2>&1 | tee "$OUT/scales-probe.txt"
