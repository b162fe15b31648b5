"""The kernel argument struct, as ctypes: the one Python definition of `sgmv::SgmvParams`.

csrc/sgmv/params.cuh is its C++ twin. The code generator reads this module (by path, without
importing the package) to emit static_asserts of every offset into each kernel, and writes the same
layout into the manifest, which the loader compares with this struct before the first launch.
This module imports nothing but ctypes, so the generator can load it at build time.
"""
from __future__ import annotations

import ctypes


class SgmvParams(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_void_p),
        ("y", ctypes.c_void_p),
        ("w", ctypes.c_void_p),
        ("seg_indptr", ctypes.c_void_p),
        ("lora_indices", ctypes.c_void_p),
        ("scales", ctypes.c_void_p),
        ("ld_x", ctypes.c_int64),
        ("ld_y", ctypes.c_int64),
        ("w_stride_lora", ctypes.c_int64),
        ("w_stride_row", ctypes.c_int64),
        ("scale", ctypes.c_float),
        ("num_rows", ctypes.c_int32),
        ("num_segments", ctypes.c_int32),
        ("num_loras", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("hidden", ctypes.c_int32),
        ("indptr_is_64", ctypes.c_int32),
        ("lora_is_64", ctypes.c_int32),
        ("k_splits", ctypes.c_int32),
        ("partials", ctypes.c_int32),
        ("split_stride", ctypes.c_int64),
        ("cluster_splits", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
    ]


def layout() -> dict:
    """Size and field offsets of SgmvParams, as recorded in the manifest and checked in C++."""
    return {
        "size": ctypes.sizeof(SgmvParams),
        "fields": [[name, getattr(SgmvParams, name).offset] for name, _ in SgmvParams._fields_],
    }
