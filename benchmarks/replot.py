"""Redraws a sweep's plot.png from its results.json (or the results.json.gz that older folders keep), as `python -m
sgmv bench` drew it (sgmv.bench.plot). The plots of superseded runs of record were dropped from the tree to keep it
within the device tool's 64 MiB (NOTES.md, entries 249 and 269); their results files stay, and git history keeps the
images.

    python benchmarks/replot.py RESULTS_DIR [OUT.png]     # default: RESULTS_DIR/plot.png
"""
import gzip
import json
import pathlib
import sys
import types

from sgmv.bench.plot import plot

if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    folder = pathlib.Path(sys.argv[1])
    plain = folder / "results.json"
    text = plain.read_text() if plain.exists() else gzip.decompress((folder / "results.json.gz").read_bytes()).decode()
    rows = [types.SimpleNamespace(**row) for row in json.loads(text)["rows"]]
    out = pathlib.Path(sys.argv[2]) if len(sys.argv) == 3 else folder / "plot.png"
    if not plot(rows, out):
        raise SystemExit("nothing drawn: matplotlib missing, or no add_lora decode rows")
    print(f"wrote {out}")
