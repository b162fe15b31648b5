# Sourced by a device call script (benchmarks/results/*/callN.sh), from the repository root on the GPU machine:
# installs the wheel a call carried as benchmarks/wheel_xz.py packed it ($1: its folder) into /tmp/s, copies the
# tree's Python over it (the call runs the tree's Python on the wheel's kernels), exports PYTHONPATH, and writes
# the GPU's name and driver to $OUT/gpu.txt. Returns non-zero where the wheel does not unpack or install.
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 benchmarks/wheel_xz.py unpack "$1" /tmp/dist > /dev/null || return 1
rm -rf /tmp/s && python3 -m pip install -q --no-deps --no-index --target /tmp/s /tmp/dist/*.whl || return 1
cp python/sgmv/*.py /tmp/s/sgmv/ && cp python/sgmv/bench/*.py /tmp/s/sgmv/bench/
export PYTHONPATH=/tmp/s
