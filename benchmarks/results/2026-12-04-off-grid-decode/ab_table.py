"""The quick sweep's add_lora times of several bench runs side by side (3 decimals), from their results.json: how
entry 333's A/B of dist_333 against dist_327b was read (the device tool brings back only a few files of each run).

    python3 ab_table.py OUT_DIR LABEL=RUN_DIR,RUN_DIR,... LABEL=...     # medians per label, then new / old
"""
import json
import pathlib
import statistics
import sys


def times(run: pathlib.Path) -> dict:
    rows = json.loads((run / "results.json").read_text())
    rows = rows["rows"] if isinstance(rows, dict) else rows
    return {(r["dtype"], r["case"]): r["time_us"] for r in rows if r["op"] == "add_lora"}


def main(out: pathlib.Path, specs: list[str]) -> None:
    labels = {}
    for spec in specs:
        label, runs = spec.split("=", 1)
        labels[label] = [times(out / run) for run in runs.split(",")]
    first, second = list(labels)[:2]
    cases = sorted(set.intersection(*(set(t) for runs in labels.values() for t in runs)))
    ratios = []
    for case in cases:
        med = {label: statistics.median(t[case] for t in runs) for label, runs in labels.items()}
        ratios.append(med[first] / med[second])
        each = "  ".join(f"{label} " + " ".join(f"{t[case]:.3f}" for t in runs) for label, runs in labels.items())
        print(f"{case[0]:8s} {case[1]:32s} {each}  {first}/{second} {ratios[-1]:.3f}")
    print(f"{len(cases)} cases: {first}/{second} median {statistics.median(ratios):.3f}, "
          f"{min(ratios):.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), sys.argv[2:])
