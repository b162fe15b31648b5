"""The first probe's script (`../2026-11-30-h200-handoff-probe/probe_handoff.py`: its run and summary) with today's
cases, for the kernels of probe-handoff-stamps-v2.patch:

    for i in 0 1 2 3 4 5 6; do python probe_handoff.py run $i dirty; done > stamps.txt
    python probe_handoff.py summary stamps.txt
"""
import importlib.util
import pathlib
import sys

_FIRST = pathlib.Path(__file__).resolve().parent.parent / "2026-11-30-h200-handoff-probe" / "probe_handoff.py"
_spec = importlib.util.spec_from_file_location("first_probe_handoff", _FIRST)
probe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probe)
# r64 one row, one adapter a row at bs16 (entry 78's question), identical bs16, uniform and identical bs256
probe.CASES[:] = [(4096, 64, 1, "distinct"), (8192, 64, 1, "distinct"), (4096, 64, 16, "distinct"),
                  (8192, 64, 16, "distinct"), (4096, 64, 16, "identical"), (8192, 64, 256, "uniform"),
                  (8192, 64, 256, "identical")]

if __name__ == "__main__":
    if sys.argv[1] == "run":
        probe.run(int(sys.argv[2]), sys.argv[3])
    else:
        probe.summary(sys.argv[2])
