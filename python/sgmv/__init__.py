"""sgmv: SGMV kernels for serving many LoRA adapters of one base model as one batch.

    batch = sgmv.LoraBatch.from_segments(seg_indptr, lora_indices)
    sgmv.add_lora(y, x, lora_a, lora_b, batch, scale=alpha / r)   # y += scale * x @ A[l].T @ B[l].T

See README.md for the API and DESIGN.md for how the pieces fit.
"""
from .batch import LoraBatch
from .errors import DriverError, UnsupportedError
from .lora_linear import LoraLinear, load_adapter, peft_adapter, read_peft_adapter, using_batch, wrap_linears
from .ops import add_lora, expand, shrink

__version__ = "0.1.0"
__all__ = ["LoraBatch", "shrink", "expand", "add_lora", "UnsupportedError", "DriverError", "LoraLinear", "using_batch",
           "wrap_linears", "peft_adapter", "read_peft_adapter", "load_adapter"]
