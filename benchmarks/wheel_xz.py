"""A built wheel as one xz file for the device machine, and back (NOTES.md, entry 249). The device tool copies the
tracked tree and the carried paths, 64 MiB in all; the tree is ~59 MB with the runs of record (entry 254), and a
default wheel (its kernels deflated) ~4.8 MB. Stored uncompressed and then xz'd, the same wheel is ~1 MB.

    python benchmarks/wheel_xz.py pack DIST_DIR XZ_DIR      # on the CPU machine: XZ_DIR/<wheel>.xz
    python3 benchmarks/wheel_xz.py unpack XZ_DIR DIST_DIR   # on the device: DIST_DIR/<wheel>, for pip as before

Several builds for an A/B (DIST_DIR a comma list) go into one XZ_DIR/bundle.tar.xz, each build's wheels under its
folder's name: they share nearly every byte, which one xz stream stores once (three default wheels ~1.1 MB, not 3).
`unpack XZ_DIR ROOT` then recreates each folder under ROOT.
"""
import io
import lzma
import pathlib
import sys
import tarfile
import zipfile


PRESET = 9 | lzma.PRESET_EXTREME


def stored(wheel: pathlib.Path) -> bytes:
    """The same wheel with its members uncompressed, which xz then takes whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _wheels(dist: pathlib.Path) -> list[pathlib.Path]:
    wheels = sorted(dist.glob("*.whl"))
    if not wheels:
        raise SystemExit(f"wheel_xz: no wheel in {dist}")
    return wheels


def pack(dists: list[pathlib.Path], out: pathlib.Path) -> None:
    wheels = {dist: _wheels(dist) for dist in dists}  # every folder checked before anything is written
    out.mkdir(parents=True, exist_ok=True)
    if len(dists) == 1:
        for wheel in wheels[dists[0]]:
            (out / (wheel.name + ".xz")).write_bytes(lzma.compress(stored(wheel), preset=PRESET))
        return
    with lzma.open(out / "bundle.tar.xz", "wb", preset=PRESET) as xz, tarfile.open(fileobj=xz, mode="w") as tar:
        for dist in dists:
            for wheel in wheels[dist]:
                data = stored(wheel)
                info = tarfile.TarInfo(f"{dist.name}/{wheel.name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def unpack(packed: pathlib.Path, dist: pathlib.Path) -> None:
    """Fails, naming `packed`, where it holds neither a bundle nor a packed wheel (a call that carried another
    folder than its script names would otherwise go on to install nothing)."""
    bundle = packed / "bundle.tar.xz"
    singles = sorted(packed.glob("*.whl.xz"))
    if not bundle.exists() and not singles:
        raise SystemExit(f"wheel_xz: {packed} holds no bundle.tar.xz and no *.whl.xz (was it carried?)")
    dist.mkdir(parents=True, exist_ok=True)
    if bundle.exists():
        with tarfile.open(bundle, "r:xz") as tar:
            tar.extractall(dist, filter="data")
        return
    for xz in singles:
        (dist / xz.name.removesuffix(".xz")).write_bytes(lzma.decompress(xz.read_bytes()))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "pack":
        pack([pathlib.Path(d) for d in sys.argv[2].split(",")], pathlib.Path(sys.argv[3]))
    else:
        unpack(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
