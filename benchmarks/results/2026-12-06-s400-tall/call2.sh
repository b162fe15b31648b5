#!/bin/bash
# Entry 401 (device), call 2, on dist_F with this tree's dispatch.py copied over the wheel's:
# HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES 10 against 8: the 32-row 512-column tile's barrier per row tile on
# launches whose blocks hold two or more column tiles, one adapter over 160-288 rows (5-9 row tiles), three shapes no
# call has timed, ranks 16-64, bf16 only (device time); medians of 3; every case checked against the float32
# reference before timing. Then the tall picks' GPU test with SHARED at 8 (as if kept), and with this tree's
# dispatch.py (SHARED at 10) the tall picks' GPU tests, the padded file and the one-launch file of the GPU suite (the
# rest of the suite's kernels and dispatch paths are dist_E's, whose whole suite passed in entry 398).
# On an H200 instead: the run of record (the quick sweep only: device time; this dispatch.py over dist_F's), the
# padded file and the tall picks' GPU tests.
# Files: gpu-name.txt, record/ (H200), shared-DTYPE.txt (the tables), sweep.tgz, gpu-suite-*.txt, gpu-tests-shared8.txt
# NOT RUN (entry 401): it needs the probe constant (git apply benchmarks/results/2026-12-06-s400-tall/
# shared-tiles-PROBE.patch first; cabbcfe had it).
# Usage (device): bash benchmarks/results/2026-12-06-s400-tall/call2.sh   (carry dist_xz_F)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_F ] || python3 benchmarks/wheel_xz.py unpack dist_xz_F dist_F > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_F/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
suite() {  # name, pytest's arguments (in tests/), as run_of_record.sh's run_suite but on /tmp/site (this dispatch.py)
  local name=$1; shift
  (cd "$repo/tests" && PYTHONPATH=/tmp/site timeout 300 python3 -m pytest -q -rs -p no:cacheprovider "$@" \
     > "$OUT/$name.txt" 2>&1)
  echo "$name: $(grep -E 'passed|failed' "$OUT/$name.txt" | tail -n 1)"
}
if grep -q H200 "$OUT/gpu-name.txt"; then  # the record's wheel: dist_F with this dispatch.py (a wheel of this tree)
  wheel=$(basename dist_F/*.whl); rm -rf /tmp/wh /tmp/distG && mkdir -p /tmp/distG
  python3 -m zipfile -e dist_F/$wheel /tmp/wh && cp python/sgmv/dispatch.py /tmp/wh/sgmv/dispatch.py
  (cd /tmp/wh && python3 -m zipfile -c "/tmp/distG/$wheel" ./*)
  mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh /tmp/distG quick  # (full: no time)
  suite gpu-suite-padded test_gpu_one_launch_padded.py
  suite gpu-tests-tall test_gpu_one_launch.py -k "hundreds_of_rows or graphs_and_streams"
  exit 0
fi
cd /tmp && rm -rf /tmp/ab && mkdir -p /tmp/ab
sweep() {  # dtype, seconds, shapes, ranks
  PYTHONPATH=/tmp/site timeout "$2" python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/shared-$1 $1 \
    HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES=10,8 --repeat=3 --ops=add_lora \
    --batches=1x160,1x200,1x240,1x256,1x288 --shapes="$3" --ranks="$4" > /tmp/ab/shared-$1.log 2>&1 \
    || echo "sweep $1 failed: $(tail -n 3 /tmp/ab/shared-$1.log)"
  cp /tmp/ab/shared-$1/*.txt "$OUT/shared-$1.txt"
}
sweep bf16 60 3072x12288,7168x14336,3584x18944 16,32,64
rm -f /tmp/ab/*/*/plot.png
tar -czf "$OUT/sweep.tgz" -C /tmp ab
cd "$repo"
sed 's/^HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES = 10/HANDOFF_TILE_BARRIER_TALL_SHARED_MIN_TILES = 8/' \
  python/sgmv/dispatch.py > /tmp/site/sgmv/dispatch.py
(cd tests && PYTHONPATH=/tmp/site timeout 60 python3 -m pytest -q -p no:cacheprovider test_gpu_one_launch.py \
   -k "hundreds_of_rows" > "$OUT/gpu-tests-shared8.txt" 2>&1; tail -n 1 "$OUT/gpu-tests-shared8.txt")
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
suite gpu-tests-tall test_gpu_one_launch.py -k "hundreds_of_rows or graphs_and_streams"
suite gpu-suite-padded test_gpu_one_launch_padded.py
suite gpu-suite-one-launch test_gpu_one_launch.py  # (last: where the call's time runs out, its dots still count)
