#!/bin/bash
# Entry 403 (device), call 1, on dist_G (the default build of main at a4fc34a: entry 400's dispatch, SASS as dist_F's).
# On an H200: the run of record (quick and full sweeps), then the GPU suite's one-launch and padded files.
# On an H100: entry 401's A/B (HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES 10 against 8, with the tree's dispatch.py:
# `git apply ../2026-12-06-s400-tall/shared-tiles-PROBE.patch` first) on three shapes no call has timed, one adapter
# over 160-288 rows, ranks 16-64, bf16, medians of 3, every case checked against the float32 reference first; the
# tall picks' GPU test with SHARED at 8; then the suite's padded and one-launch files on dist_G as built.
# Files: gpu-name.txt; record/ (H200); shared-bf16.txt, sweep.tgz, gpu-tests-shared8.txt (H100); gpu-suite-*.txt
# Usage (device): bash benchmarks/results/2026-12-06-s403/call1.sh   (carry dist_xz_G)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
python3 benchmarks/wheel_xz.py unpack dist_xz_G dist_G > /dev/null || exit 1
if grep -q H200 "$OUT/gpu-name.txt"; then
  mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_G quick full
else
  rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_G/*.whl || exit 1
  cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py  # the probe constant (a no-op at 10)
  rm -rf /tmp/ab && mkdir -p /tmp/ab && cd /tmp
  PYTHONPATH=/tmp/site timeout 90 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/shared-bf16 bf16 \
    HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES=10,8 --repeat=3 --ops=add_lora \
    --batches=1x160,1x200,1x240,1x256,1x288 --shapes=3072x12288,7168x14336,3584x18944 --ranks=16,32,64 \
    > /tmp/ab/shared-bf16.log 2>&1 || echo "sweep failed: $(tail -n 3 /tmp/ab/shared-bf16.log)"
  cp /tmp/ab/shared-bf16/*.txt "$OUT/shared-bf16.txt"
  rm -f /tmp/ab/*/*/plot.png && tar -czf "$OUT/sweep.tgz" -C /tmp ab
  cd "$repo"
  sed 's/^HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES = 10/HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES = 8/' \
    python/sgmv/dispatch.py > /tmp/site/sgmv/dispatch.py
  (cd tests && PYTHONPATH=/tmp/site timeout 60 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
     -k "hundreds_of_rows" > "$OUT/gpu-tests-shared8.txt" 2>&1; echo "shared 8: $(tail -n 1 "$OUT/gpu-tests-shared8.txt")")
fi
bash benchmarks/run_of_record.sh dist_G suite-padded suite-one-launch
