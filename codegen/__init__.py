"""Kernel code generator: KernelSpec grid -> rendered CUDA sources + manifest (see DESIGN.md)."""
from .spec import KernelSpec, default_specs, filter_specs
from .render import generate, render

__all__ = ["KernelSpec", "default_specs", "filter_specs", "generate", "render"]
