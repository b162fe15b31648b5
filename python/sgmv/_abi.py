"""The kernel argument struct, as ctypes: the one Python definition of `sgmv::SgmvParams`.

csrc/sgmv/params.cuh is its C++ twin. The code generator reads this module (by path, without
importing the package) to emit static_asserts of every offset into each kernel, and writes the same
layout into the manifest, which the loader compares with this struct before the first launch.
This module imports nothing but ctypes, so the generator can load it at build time.
"""
from __future__ import annotations

import ctypes


MAX_SLICES = 8  # csrc/sgmv/params.cuh: kMaxSlices
MANIFEST_VERSION = 2  # the manifest's rows (codegen writes them, manifest.py reads them); 2: each names its unit


class SgmvSlice(ctypes.Structure):
    _fields_ = [
        ("w", ctypes.c_void_p),
        ("w_stride_lora", ctypes.c_int64),
        ("w_stride_row", ctypes.c_int64),
        ("rank", ctypes.c_int32),
        ("hidden", ctypes.c_int32),
        ("v_col", ctypes.c_int32),
        ("y_col", ctypes.c_int32),
        ("tile_begin", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
    ]


class SgmvParams(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_void_p),
        ("y", ctypes.c_void_p),
        ("seg_indptr", ctypes.c_void_p),
        ("lora_indices", ctypes.c_void_p),
        ("scales", ctypes.c_void_p),
        ("row_index", ctypes.c_void_p),
        ("ranks", ctypes.c_void_p),
        ("handoff", ctypes.c_void_p),
        ("ld_x", ctypes.c_int64),
        ("ld_y", ctypes.c_int64),
        ("split_stride", ctypes.c_int64),
        ("scale", ctypes.c_float),
        ("num_rows", ctypes.c_int32),
        ("num_segments", ctypes.c_int32),
        ("num_loras", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("indptr_is_64", ctypes.c_int32),
        ("lora_is_64", ctypes.c_int32),
        ("ranks_is_64", ctypes.c_int32),
        ("num_slices", ctypes.c_int32),
        ("k_splits", ctypes.c_int32),
        ("partials", ctypes.c_int32),
        ("cluster_splits", ctypes.c_int32),
        ("flat_tiles", ctypes.c_int32),
        ("col_tiles_per_block", ctypes.c_int32),
        ("tables_ready", ctypes.c_int32),
        ("slices", SgmvSlice * MAX_SLICES),
    ]


def _fields(struct) -> list:
    return [[name, getattr(struct, name).offset] for name, _ in struct._fields_]


def layout() -> dict:
    """Size and field offsets of SgmvParams (and of its SgmvSlice entries), as recorded in the manifest and checked in
    C++."""
    return {
        "size": ctypes.sizeof(SgmvParams),
        "fields": _fields(SgmvParams),
        "max_slices": MAX_SLICES,
        "slice": {"size": ctypes.sizeof(SgmvSlice), "fields": _fields(SgmvSlice)},
    }
