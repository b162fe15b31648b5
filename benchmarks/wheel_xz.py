"""A built wheel as one xz file for the device machine, and back (NOTES.md, entry 249). The device tool copies the
tracked tree and the carried paths, 64 MiB in all; the tree is ~60 MiB with the runs of record, and a default wheel
(its kernels deflated) ~4.8 MB. Stored uncompressed and then xz'd, the same wheel is ~1 MB.

    python benchmarks/wheel_xz.py pack DIST_DIR XZ_DIR      # on the CPU machine: XZ_DIR/<wheel>.xz
    python3 benchmarks/wheel_xz.py unpack XZ_DIR DIST_DIR   # on the device: DIST_DIR/<wheel>, for pip as before
"""
import io
import lzma
import pathlib
import sys
import zipfile


def pack(dist: pathlib.Path, out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for wheel in dist.glob("*.whl"):
        stored = io.BytesIO()  # the same wheel with its members uncompressed, which xz then takes whole
        with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_STORED)
        (out / (wheel.name + ".xz")).write_bytes(lzma.compress(stored.getvalue(), preset=9 | lzma.PRESET_EXTREME))


def unpack(packed: pathlib.Path, dist: pathlib.Path) -> None:
    dist.mkdir(parents=True, exist_ok=True)
    for xz in packed.glob("*.whl.xz"):
        (dist / xz.name.removesuffix(".xz")).write_bytes(lzma.decompress(xz.read_bytes()))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        raise SystemExit(__doc__)
    (pack if sys.argv[1] == "pack" else unpack)(pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]))
