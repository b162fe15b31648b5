"""Exceptions raised by sgmv."""


class UnsupportedError(ValueError):
    """The input is valid but no compiled kernel can run it (e.g. a build filtered by SGMV_KERNELS)."""


class DriverError(RuntimeError):
    """The CUDA driver could not be used (no GPU, no driver, or a failing driver call)."""
