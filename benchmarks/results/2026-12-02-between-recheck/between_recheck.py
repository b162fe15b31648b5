"""NOTES entry 145: entry 144's rule (the 16-row tile for the batches between only where its tiles fit one wave) on
the batches whose pick it changed to an unmeasured kernel (28 x 36 rows on the 64-row tile) and on new ones: entry
144's between_check.py with other batches.

    python between_recheck.py DTYPE [REPEAT]   (from the repository root, a wheel of main at entry 144 or later on
                                                PYTHONPATH; needs a GPU)
"""
import importlib.util
import pathlib
import sys

_path = pathlib.Path(__file__).resolve().parents[1] / "2026-12-02-between-check" / "between_check.py"
_spec = importlib.util.spec_from_file_location("between_check", _path)
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

check.BATCHES = [(28, 36), (14, 80), (30, 50), (5, 200), (18, 56), (44, 34)]  # (segments, rows each)
check.SHAPED = [((4096, 4096), (16, 64)), ((8192, 8192), (16, 64)), ((4096, 14336), (16, 64)),
                ((14336, 4096), (16, 64)), ((4096, 4096), (8, 32)), ((8192, 8192), (8, 32))]
check.UNKNOWN = [((8192, 8192), 16, (28, 36)), ((4096, 4096), 64, (30, 50))]

if __name__ == "__main__":
    check.main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2)
