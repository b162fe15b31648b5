"""Two bench runs (quick/, full-bf16/, full-fp16/ under each) compared case by case, add_lora only: each part's cases
within the target and median time / target a dtype, the time ratio of the cases on the same kernel in both (drift),
each case whose kernel differs, and the quick sweep's six worst. (benchmarks/ab_summary.py compares A/B runs of
chosen cases instead, by median over rounds.)

    python3 compare_runs.py NEW_DIR OLD_DIR
"""
import csv
import statistics
import sys

PARTS = ["quick", "full-bf16", "full-fp16"]


def load(path: str) -> dict:
    return {(r["dtype"], r["case"]): r for r in csv.DictReader(open(path)) if r["op"] == "add_lora"}


def time_us(row: dict) -> float:
    return float(row["time_us"])


def over_target(row: dict) -> float:
    return time_us(row) / float(row["target_us"])


def tile_name(kernel: str) -> str:
    return kernel.split("_hany_")[-1]


def compare(part: str, new: dict, old: dict) -> None:
    dtypes = sorted({dtype for dtype, _ in new})
    met = {d: f"{sum(r['meets_target'] == 'True' for (dt, _), r in new.items() if dt == d)}/"
              f"{sum(dt == d for dt, _ in new)}" for d in dtypes}
    medians = {d: round(statistics.median(over_target(r) for (dt, _), r in new.items() if dt == d), 3) for d in dtypes}
    same = [time_us(new[k]) / time_us(old[k]) for k in new if k in old and new[k]["kernels"] == old[k]["kernels"]]
    drift = "none"
    if same:
        drift = "n=%d median %.3f (%.3f-%.3f)" % (len(same), statistics.median(same), min(same), max(same))
    print(part, met, "median t/target", medians, "copy", next(iter(new.values()))["copy_us"][:5],
          "unchanged kernels:", drift)
    for key in sorted(new):
        if key in old and new[key]["kernels"] != old[key]["kernels"]:
            n, o = new[key], old[key]
            change = "%.2f -> %.2f us (%.3f), t/target %.3f -> %.3f" % (
                time_us(o), time_us(n), time_us(n) / time_us(o), over_target(o), over_target(n))
            print("   moved", key[0][:4], key[1], change, tile_name(n["kernels"]))
    if part == "quick":
        for key, row in sorted(new.items(), key=lambda kv: -over_target(kv[1]))[:6]:
            print("   worst", key[0][:4], key[1], "%.3f" % over_target(row), row["time_us"][:5], row["target_us"][:5])


def main(new_dir: str, old_dir: str) -> None:
    for part in PARTS:
        compare(part, load(f"{new_dir}/{part}/results.csv"), load(f"{old_dir}/{part}/results.csv"))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python3 compare_runs.py NEW_DIR OLD_DIR")
    main(sys.argv[1], sys.argv[2])
