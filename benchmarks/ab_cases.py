"""A/B driver: the full sweep's add_lora cases that the prefill kernel may take (distinct bs64/bs256, prefill) at
ranks 16-64, no baselines. Usage: python ab_cases.py OUT DTYPES"""
import pathlib
import sys

from sgmv.bench import run as R

full = R.sweep


def picked(quick):
    return [c for c in full(False) if c.rank in (16, 32, 64)
            and (c.popularity == "prefill" or (c.popularity == "distinct" and c.rows >= 64))]


R.sweep = picked
R.run(quick=False, dtypes=sys.argv[2].split(","), op_names=["add_lora"], out=pathlib.Path(sys.argv[1]),
      baselines=False, command="ab_cases", pairs=False)
