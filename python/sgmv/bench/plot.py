"""The Punica-style plot: latency vs batch size per popularity, baselines dashed, floor dotted."""
from __future__ import annotations

import io
import pathlib


def plot(rows, path: pathlib.Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    decode = [r for r in rows if r.popularity != "prefill" and r.op == "add_lora"]
    panels = sorted({(r.dtype, r.h_in, r.h_out, r.rank) for r in decode})
    if not panels:
        return False
    cols = min(4, len(panels))
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 3.4 * nrows), squeeze=False)
    for ax, (dtype, h_in, h_out, rank) in zip(axes.flat, panels):
        sub = [r for r in decode if (r.dtype, r.h_in, r.h_out, r.rank) == (dtype, h_in, h_out, rank)]
        for pop in sorted({r.popularity for r in sub}):
            pts = sorted(((r.rows, r) for r in sub if r.popularity == pop or r.rows == 1), key=lambda p: p[0])
            xs = [p for p, _ in pts]
            line, = ax.plot(xs, [r.time_us for _, r in pts], marker="o", label=f"sgmv {pop}")
            base = [(p, r.torch_loop_us) for p, r in pts if r.torch_loop_us is not None]
            if base:
                ax.plot(*zip(*base), linestyle="--", color=line.get_color(), alpha=0.6, label=f"torch loop {pop}")
            ax.plot(xs, [r.floor_us for _, r in pts], linestyle=":", color=line.get_color(), alpha=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(f"{dtype} h={h_in}->{h_out} r={rank}", fontsize=9)
        ax.set_xlabel("batch size")
        ax.set_ylabel("latency (us); dotted: HBM floor")
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)
    return True


def save_png(fig, path: pathlib.Path) -> None:
    """The figure as a 256-colour PNG: the full sweep's 20 panels in ~0.3 MB, not ~1 MB as full colour (runs of record
    are kept in the repository). The lines and text look the same; Pillow comes with matplotlib."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(colors=256).save(path, format="PNG", optimize=True)
